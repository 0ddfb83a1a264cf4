"""The citizen page "Hoe werkt de digitale assistent?" (guide step 7, AVG art. 12-13, AI Act art. 50), in Dutch
and in English: the words in data/citizen_page.yml, the page in a Jinja2 template with autoescaping, and every
term (retention, contact details, office hours) from the configuration the system runs on, so the page always
tells the real ones."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from governance import templating
from governance.runtime import Runtime
from knowledge import ANSWERED_LANGUAGES

PAGE_PATH = "/hoe-werkt-het"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEXTS_FILE = PROJECT_ROOT / "data" / "citizen_page.yml"


@functools.lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def render(runtime: Runtime, language: str = "nl") -> str:
    language = language if language in ANSWERED_LANGUAGES else ANSWERED_LANGUAGES[0]
    m, s = runtime.municipality, runtime.settings
    privacy = m.raw.get("privacy") or {}
    values = {
        **m.template_values(language),
        "privacy_email": str(privacy.get("email") or m.email),
        "transcript_days": s.retention_transcript_days,
        "decision_days": s.retention_decision_days,
        "callback_days": s.retention_callback_days,
    }
    raw = _texts()[language]

    def fill(text: str) -> str:
        return " ".join(str(text).split()).format_map(values)

    page = {
        "title": fill(raw["title"]),
        "back": fill(raw["back"]),
        "privacy_link": fill(raw["privacy_link"]),
        "sections": [
            {"heading": fill(section["heading"]), "paragraphs": [fill(p) for p in section["paragraphs"]]}
            for section in raw["sections"]
        ],
    }
    privacy_page = str(privacy.get("page") or "")
    return (
        templating.environment()
        .get_template("citizen_page.html.j2")
        .render(
            language=language,
            page=page,
            name=m.name,
            privacy_page=privacy_page if privacy_page.startswith("https://") else "",
        )
    )
