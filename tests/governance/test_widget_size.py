"""What a citizen's browser downloads for the chat: printed for the closing note, held to a budget so the
widget stays light on a phone (the NL Design System CSS is cached and shared with the page)."""

from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "governance" / "static"
BUDGET_GZIP_BYTES = 20_000  # widget.js + widget.css + sse.js


def test_widget_size_within_budget(capsys):
    sizes = {}
    for name in ("widget.js", "widget.css", "sse.js", "vendor/nlds.css"):
        path = STATIC / name
        if path.exists():
            data = path.read_bytes()
            sizes[name] = (len(data), len(gzip.compress(data, 9)))
    with capsys.disabled():
        for name, (raw, packed) in sizes.items():
            print(f"\n{name}: {raw} bytes, {packed} gzip", end="")
    own = sum(sizes[name][1] for name in ("widget.js", "widget.css", "sse.js"))
    assert own <= BUDGET_GZIP_BYTES
