"""Validation of an export against our JSON Schema of publication standard 1.0, with the two rules JSON
Schema cannot express: long texts are measured after stripping HTML, and may use only a few tags."""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

SCHEMA_FILE = Path(__file__).parent / "schema" / "algoritmeregister-1.0.schema.json"
TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")


def visible_text(value: str) -> str:
    """The text a reader sees: tags removed, entities decoded."""
    return html.unescape(TAG.sub("", value))


def _allowed_tags(validator, allowed: list[str], instance: Any, schema: dict) -> Iterator[ValidationError]:
    if not isinstance(instance, str):
        return
    for closing, name, attributes in TAG.findall(instance):
        if name.lower() not in allowed:
            yield ValidationError(
                f"tag <{closing}{name}> is not allowed; " + (f"only {', '.join(allowed)}" if allowed else "plain text only")
            )
        elif attributes.strip().strip("/"):
            yield ValidationError(f"tag <{name}> carries attributes ({attributes.strip()}); the register allows none")
    if "<" in TAG.sub("", instance):
        yield ValidationError("a '<' that is not a tag: write it as &lt;")


def _max_text_length(validator, limit: int, instance: Any, schema: dict) -> Iterator[ValidationError]:
    if isinstance(instance, str) and len(visible_text(instance)) > limit:
        yield ValidationError(f"{len(visible_text(instance))} characters after stripping HTML; at most {limit}")


RegisterValidator = validators.extend(
    Draft202012Validator, {"x-allowedHtmlTags": _allowed_tags, "x-maxTextLength": _max_text_length}
)


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def violations(document: Any) -> list[str]:
    """Every rule the document breaks, as "field: reason" lines; empty when the register would accept it."""
    validator = RegisterValidator(schema())
    found = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in error.absolute_path) or "(document)"
        found.append(f"{where}: {error.message}")
    return found
