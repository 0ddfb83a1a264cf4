"""Shared secrets between the gateway, Rasa and the action server, from the environment or a file.

Never from a command line: any local user can read another process's arguments (/proc/<pid>/cmdline),
while its environment and a 0600 file are readable by the same user only. `NAME_FILE` (a Docker or
Kubernetes secret mounted as a file) wins over `NAME`.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path


def load_secret(name: str) -> str:
    path = os.environ.get(f"{name}_FILE", "").strip()
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, "").strip()


def secret_matches(given: str | None, expected: str) -> bool:
    """Constant time; an empty expected secret matches nothing, so a missing setting closes the door."""
    return bool(expected) and given is not None and hmac.compare_digest(given.encode(), expected.encode())
