"""What each role may do.

Permissions are listed per role, not inherited by rank, so the matrix in docs/operations.md and the tests is the
whole truth. An admin may do everything; a reviewer reads logs and decisions but does not talk to citizens;
an agent handles the queue. A machine token may be narrowed to some of its role's permissions (its scope).
"""

from __future__ import annotations

PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": frozenset({"queue", "switch.read"}),
    "reviewer": frozenset({"review", "privacy", "switch.read"}),
    "admin": frozenset({"queue", "review", "privacy", "switch.read", "switch.write", "accounts"}),
}
