"""The phrases the register entry, the DPIA, the IAMA and the readiness facts share, from
register/templates/phrases.yml: configuration, so the governance team changes words without code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEMPLATES = Path(__file__).resolve().parent / "templates"
PHRASES: dict[str, Any] = yaml.safe_load((TEMPLATES / "phrases.yml").read_text(encoding="utf-8"))


def phrase(key: str, **values: Any) -> str:
    """One phrase on one line (folded text joined), filled in with Python's format syntax."""
    return " ".join(str(PHRASES[key]).split()).format(**values)
