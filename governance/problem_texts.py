"""The Dutch words of every error (data/problems.yml), apart from governance.errors: modules the command line
loads before it clears the metrics of an earlier run (the audit log's verification) must not import
governance.metrics, and errors does."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

PROBLEMS_FILE = Path(__file__).resolve().parents[1] / "data" / "problems.yml"


@functools.lru_cache(maxsize=1)
def _problem_texts() -> dict[str, Any]:
    return yaml.safe_load(PROBLEMS_FILE.read_text(encoding="utf-8"))


def problem_detail(text_id: str, **values: Any) -> str:
    """The Dutch detail of a problem, configured in data/problems.yml (a missing id fails the texts test)."""
    return str(_problem_texts()["details"][text_id]).format(**values)


TITLES: dict[int, str] = {int(status): str(title) for status, title in _problem_texts()["titles"].items()}
