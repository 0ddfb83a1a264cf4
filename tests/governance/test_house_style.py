"""A municipality switches to its own house style by swapping the design-tokens package (widget/package.json),
without code changes. That only holds if our own CSS takes every colour from a token: a colour written into
the CSS stays the project's colour whatever tokens are installed. demo.css is left out: it stands in for the
municipality's own website around the widget."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "governance" / "static"
OWN_CSS = sorted(p for p in STATIC.glob("*.css") if p.name != "demo.css")
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(")
TOKEN_WITH_FALLBACK = re.compile(r"var\(\s*(--[\w-]+)\s*,\s*#[0-9a-fA-F]{3,8}\s*\)")
# a see-through black shadow under the chat window is depth, not a house colour
NEUTRAL_SHADOW = re.compile(r"rgb\(0 0 0 / \d+%\)")
TOKEN = re.compile(r"var\(\s*(--(?:basis|utrecht)-[\w-]+)")


def css_without_comments(path: Path) -> str:
    return re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_every_colour_of_our_pages_comes_from_a_design_token():
    assert {p.name for p in OWN_CSS} >= {"widget.css", "staff.css", "governance.css", "info.css"}
    fixed = {}
    for path in OWN_CSS:
        rest = TOKEN_WITH_FALLBACK.sub("", css_without_comments(path))  # a fallback for unbuilt tokens is fine
        rest = NEUTRAL_SHADOW.sub("", rest)
        found = [(n + 1, line.strip()) for n, line in enumerate(rest.splitlines()) if COLOUR.search(line)]
        if found:
            fixed[path.name] = found
    assert fixed == {}, f"colours written into the CSS instead of taken from a token: {fixed}"


def test_the_tokens_our_css_names_exist_in_the_built_theme():
    """A misspelt token name would silently fall back to the project's colour in every house style."""
    theme = STATIC / "vendor" / "nlds.css"
    assert theme.exists(), "vendor/nlds.css is missing: make setup builds it from widget/package.json"
    defined = set(re.findall(r"(--[\w-]+)\s*:", theme.read_text(encoding="utf-8")))
    named = {token for path in OWN_CSS for token in TOKEN.findall(css_without_comments(path))}
    assert named, "our CSS names no design tokens at all"
    # the build keeps only the tokens in use; `make setup` rebuilds when our CSS changed since the last build
    assert sorted(named - defined) == []
