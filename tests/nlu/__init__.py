"""The NLU evaluation sets, found by file name, so that a new set is measured and guarded without edits elsewhere.

The long, indirect Dutch sets (issue 14) are `long_phrasings*.yml` and the English sets (issue 16)
`heldout_en*.yml`. Each is written before the training batch it measures; the number in its name says in which
order, which matters: a newer set must share no sentence with an older one.
"""

from __future__ import annotations

import re
from pathlib import Path

SETS_DIR = Path(__file__).resolve().parent


def _oldest_first(path: Path) -> tuple[str, int]:
    """`x.yml`, `x_blind.yml`, `x_blind2.yml` … `x_blind10.yml`: by name, then by number (none counts as 1)."""
    name, number = re.fullmatch(r"(.*?)(\d*)", path.stem).groups()
    return name, int(number or 1)


def long_phrasing_sets() -> list[Path]:
    return sorted(SETS_DIR.glob("long_phrasings*.yml"), key=_oldest_first)


def english_sets() -> list[Path]:
    return sorted(SETS_DIR.glob("heldout_en*.yml"), key=_oldest_first)
