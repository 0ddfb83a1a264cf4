"""Every error text is configuration (data/problems.yml), none is written into the code, and every text the
code asks for exists: a missing one would turn a clear Dutch error into a 500."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEXTS = yaml.safe_load((ROOT / "data" / "problems.yml").read_text(encoding="utf-8"))
SOURCES = sorted(p for p in (ROOT / "governance").rglob("*.py") if "alembic" not in p.parts)


def _calls(name: str):
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == name:
                yield path, node


def test_every_text_id_the_code_asks_for_is_configured_and_every_configured_one_is_used():
    used = {node.args[0].value for _, node in _calls("problem_detail") if isinstance(node.args[0], ast.Constant)}
    assert len(used) >= 40
    assert used - set(TEXTS["details"]) == set()
    assert set(TEXTS["details"]) - used == set()


def test_no_problem_is_raised_with_words_written_into_the_code():
    inline = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, node in _calls("Problem")
        if len(node.args) >= 3 and isinstance(node.args[2], ast.Constant | ast.JoinedStr)
    ]
    assert inline == []


def test_every_status_the_code_raises_has_a_dutch_title():
    statuses = {node.args[0].value for _, node in _calls("Problem") if node.args and isinstance(node.args[0], ast.Constant)}
    assert statuses and statuses <= set(TEXTS["titles"])
