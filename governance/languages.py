"""Which language a citizen writes in, and the fixed message for languages the assistant does not speak.

lingua-language-detector ships its own models (no download) and is restricted to the languages in
data/languages.yml, so a short Dutch word can only be mistaken for one of those. Short or unsure messages
stay Dutch: "hoi", "ok" and "help" are Dutch here whatever a detector thinks. Arabic and Cyrillic script
are recognised by their letters, whatever the length ("مرحبا", "привіт"), because no Dutch message is
written in them. A conversation keeps the language it was detected in for its short messages ("ok").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge import Municipality

LANGUAGES_FILE = Path(__file__).resolve().parent.parent / "data" / "languages.yml"
LETTERS = re.compile(r"[^\W\d_]+")
# Scripts that decide on their own: their letters are named after the script in Unicode.
SCRIPTS = {"ARABIC": "ar", "CYRILLIC": "uk"}


@dataclass(frozen=True)
class Notice:
    language: str
    name: str  # in its own language
    name_nl: str  # for staff and the explanation
    direction: str  # "ltr" or "rtl"
    text: str


class LanguageStep:
    def __init__(self, config: dict[str, Any], municipality: Municipality) -> None:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        self.default = config.get("default", "nl")
        self.answered = frozenset(config.get("answered", [self.default]))
        names = config.get("answered_names_nl") or {}
        self.answered_names_nl = [str(names.get(code, code)) for code in config.get("answered", [self.default])]
        codes = [getattr(IsoCode639_1, code.upper()) for code in config["detect"]]
        self._detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
        # lingua loads its language models on first use (about a second): at start-up, not in a citizen's turn
        self._detector.compute_language_confidence_values("een zin om de taalmodellen bij het starten te laden")
        self.min_letters = int(config.get("min_letters", 15))
        self.min_words = int(config.get("min_words", 3))
        self.min_confidence = float(config.get("min_confidence", 0.75))
        # English is answered, not sent a notice, so a little less certainty is needed (see data/languages.yml)
        self.min_confidence_answered = float(config.get("min_confidence_answered", self.min_confidence))
        self.min_lead = float(config.get("min_lead_over_dutch", 0.4))
        values = municipality.template_values()
        self.notices = {
            code: Notice(
                code, item["name"], item["name_nl"], item.get("dir", "ltr"), " ".join(item["text"].split()).format_map(values)
            )
            for code, item in (config.get("notices") or {}).items()
        }

    @classmethod
    def from_file(cls, municipality: Municipality, path: Path = LANGUAGES_FILE) -> LanguageStep:
        return cls(_load(path), municipality)

    def detect(self, text: str, conversation_language: str | None = None) -> str:
        """The language of one message; `conversation_language` decides for messages too short to tell."""
        words = LETTERS.findall(text)
        script = _script(words)
        if script is not None:
            return script
        if sum(len(w) for w in words) < self.min_letters or len(words) < self.min_words:
            return conversation_language or self.default
        values = self._detector.compute_language_confidence_values(text)
        if not values:
            return conversation_language or self.default
        top = values[0]
        code = top.language.iso_code_639_1.name.lower()
        dutch = next((v.value for v in values if v.language.iso_code_639_1.name.lower() == self.default), 0.0)
        needed = self.min_confidence_answered if code in self.answered else self.min_confidence
        if code != self.default and top.value >= needed and top.value - dutch >= self.min_lead:
            return code
        # Unsure: an English conversation stays English unless the detector leans to Dutch ("how much is it").
        if conversation_language in self.answered and conversation_language != self.default:
            kept = next((v.value for v in values if v.language.iso_code_639_1.name.lower() == conversation_language), 0.0)
            if kept >= dutch:
                return conversation_language
        return self.default

    def answers_in(self, language: str | None) -> bool:
        """Does the assistant answer in this language itself (Dutch and English), rather than with a notice?"""
        return language in self.answered

    def notice(self, language: str) -> Notice | None:
        """The fixed message for a language the assistant does not speak; None for Dutch and English."""
        return self.notices.get(language)


def _script(words: list[str]) -> str | None:
    letters = "".join(words)
    if not letters:
        return None
    counts: dict[str, int] = {}
    for ch in letters:
        name = unicodedata.name(ch, "")
        for script, code in SCRIPTS.items():
            if name.startswith(script):
                counts[code] = counts.get(code, 0) + 1
    if not counts:
        return None
    code, count = max(counts.items(), key=lambda item: item[1])
    return code if count >= len(letters) / 2 else None


@functools.lru_cache(maxsize=2)
def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
