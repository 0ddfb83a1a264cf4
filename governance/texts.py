"""Citizen-facing system texts from data/texts.yml, filled with the municipality's facts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from knowledge import Municipality

PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Texts:
    def __init__(self, raw: dict[str, str], municipality: Municipality) -> None:
        self._raw = {k: " ".join(str(v).split()) for k, v in raw.items()}
        self._values = municipality.template_values()

    @classmethod
    def from_file(cls, path: Path, municipality: Municipality) -> Texts:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")), municipality)

    def keys(self, prefix: str = "") -> list[str]:
        return [key for key in self._raw if key.startswith(prefix)]

    def get(self, key: str, **extra: Any) -> str:
        return self._raw[key].format_map({**self._values, **extra})

    def template(self, key: str) -> str:
        """The text as configured, with its placeholders unfilled."""
        return self._raw[key]


def template_pattern(template: str) -> re.Pattern[str]:
    """What any text made from this template looks like, whatever the municipality's facts were then (name,
    phone, hours): a stored message still counts as made from it after those facts have changed."""
    literal_parts = PLACEHOLDER.split(template)[::2]  # split() keeps the names at the odd places
    return re.compile(".*?".join(re.escape(part) for part in literal_parts), re.DOTALL)
