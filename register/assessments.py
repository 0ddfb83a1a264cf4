"""DPIA draft (sections of the Model DPIA Rijksdienst v3.0) and IAMA draft, filled with the live facts.
What the system knows is written out; what only the municipality can judge is a Todo.

The wording is in Jinja2 templates (register/templates/dpia.yml.j2, iama.yml.j2) that render into a small YAML
document; the risks and retention reasons are data (register/templates/assessments.yml). This module only
gathers what the templates need and turns the YAML into a Document (register/document.py renders it).
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

from governance.privacy.pii import KINDS
from register.algoritmeregister import REASONS_NL, RETENTION_NL, accuracy_sentence, figures_sentence, pii_list
from register.document import Block, Document, Section, Table, Todo
from register.facts import Facts
from register.phrases import TEMPLATES, render_words


@functools.lru_cache(maxsize=1)
def _content() -> dict[str, Any]:
    return yaml.safe_load((TEMPLATES / "assessments.yml").read_text(encoding="utf-8"))


def _context(facts: Facts) -> dict[str, Any]:
    content = _content()
    return {
        "facts": facts,
        "accuracy_sentence": accuracy_sentence(facts),
        "figures_sentence": figures_sentence(facts),
        "pii_list": pii_list(facts),
        "special_list": ", ".join(f"{kind.placeholder} ({kind.label})" for kind in KINDS.values() if kind.special),
        "retention_names": RETENTION_NL,
        "retention_why": content["retention_why"],
        "risks": content["risks"],
        "reasons": list(REASONS_NL.values()),
    }


def _block(raw: dict[str, Any]) -> Block:
    (kind, value), *_ = raw.items()
    if kind == "text":
        return str(value)
    if kind == "todo":
        return Todo(str(value))
    if kind == "list":
        return [str(item) for item in value]
    if kind == "table":
        return Table([str(h) for h in value["headers"]], [[str(cell) for cell in row] for row in value["rows"]])
    raise ValueError(f"unknown block '{kind}' in a document template")


def render(template: str, facts: Facts) -> Document:
    """The named template (dpia.yml.j2, iama.yml.j2) filled with the facts, as a Document."""
    raw = render_words(template, **_context(facts))
    sections = [Section(str(s["number"]), str(s["title"]), [_block(b) for b in s["blocks"]]) for s in raw["sections"]]
    return Document(title=str(raw["title"]), subtitle=str(raw["subtitle"]), sections=sections)


def dpia(facts: Facts) -> Document:
    return render("dpia.yml.j2", facts)


def iama(facts: Facts) -> Document:
    return render("iama.yml.j2", facts)
