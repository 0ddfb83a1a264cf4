"""The phrases the register entry, the DPIA, the IAMA and the readiness facts share, from
register/templates/phrases.yml: configuration, so the governance team changes words without code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from governance.templating import document_environment

TEMPLATES = Path(__file__).resolve().parent / "templates"
PHRASES: dict[str, Any] = yaml.safe_load((TEMPLATES / "phrases.yml").read_text(encoding="utf-8"))


def phrase(key: str, **values: Any) -> str:
    """One phrase on one line (folded text joined), filled in with Python's format syntax."""
    return " ".join(str(PHRASES[key]).split()).format(**values)


def render_words(template: str, **context: Any) -> Any:
    """A document's words: the Jinja2 template in register/templates rendered with `context`, read as YAML."""
    return yaml.safe_load(document_environment(TEMPLATES).get_template(template).render(**context))
