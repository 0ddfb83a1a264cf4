"""Citizen-facing system texts from data/texts.yml, filled with the municipality's facts.

English versions (issue 16) live beside it in data/texts.en.yml with the same keys; a conversation in
English gets them, any other language the Dutch ones (the fixed notices of data/languages.yml cover those).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from knowledge import TRANSLATED_LANGUAGES, Municipality

PLACEHOLDER = re.compile(r"\{(\w+)\}")
DEFAULT_LANGUAGE = "nl"


def _flat(raw: dict[str, Any]) -> dict[str, str]:
    return {k: " ".join(str(v).split()) for k, v in raw.items()}


class Texts:
    def __init__(
        self, raw: dict[str, str], municipality: Municipality, translations: dict[str, dict[str, str]] | None = None
    ) -> None:
        self._by_language = {DEFAULT_LANGUAGE: _flat(raw), **{lang: _flat(t) for lang, t in (translations or {}).items()}}
        self._raw = self._by_language[DEFAULT_LANGUAGE]
        self._values = {lang: municipality.template_values(lang) for lang in self._by_language}

    @classmethod
    def from_file(cls, path: Path, municipality: Municipality) -> Texts:
        translations = {}
        for language in TRANSLATED_LANGUAGES:
            translated = path.with_name(f"{path.stem}.{language}{path.suffix}")
            if translated.exists():
                translations[language] = yaml.safe_load(translated.read_text(encoding="utf-8"))
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")), municipality, translations)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._by_language)

    def keys(self, prefix: str = "") -> list[str]:
        return [key for key in self._raw if key.startswith(prefix)]

    def _language(self, language: str | None) -> str:
        return language if language in self._by_language else DEFAULT_LANGUAGE

    def get(self, key: str, language: str | None = DEFAULT_LANGUAGE, **extra: Any) -> str:
        """The text in `language` (Dutch for a language without its own texts)."""
        language = self._language(language)
        raw = self._by_language[language].get(key, self._raw[key])
        return raw.format_map({**self._values[language], **extra})

    def template(self, key: str, language: str | None = DEFAULT_LANGUAGE) -> str:
        """The text as configured, with its placeholders unfilled."""
        return self._by_language[self._language(language)].get(key, self._raw[key])


def template_pattern(template: str) -> re.Pattern[str]:
    """What any text made from this template looks like, whatever the municipality's facts were then (name,
    phone, hours): a stored message still counts as made from it after those facts have changed."""
    literal_parts = PLACEHOLDER.split(template)[::2]  # split() keeps the names at the odd places
    return re.compile(".*?".join(re.escape(part) for part in literal_parts), re.DOTALL)
