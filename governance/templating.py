"""The one Jinja2 environment for the service's pages and documents (governance/templates/), autoescaped."""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))


@functools.lru_cache(maxsize=4)
def document_environment(directory: Path) -> Environment:
    """For documents (register/templates/): HTML templates are escaped, YAML and Markdown ones are not (their
    values are escaped when the document is rendered as HTML); an undefined name is an error, not an empty
    string in a DPIA."""
    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=True, default=False),
        undefined=StrictUndefined,
    )
