"""Append to and verify the hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so editing or deleting any entry
breaks every hash after it; the chain head (last sequence number and hash) catches deleting the newest.
Entries are written in the same transaction as the action they describe: no action without its trace.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from governance.db import utc_now
from governance.problem_texts import problem_detail


@dataclass(frozen=True)
class Actor:
    """Who did it and from where. The command line and the system itself are actors too."""

    id: str
    name: str
    role: str
    origin: str


# Every column of an entry except its own hash goes into that hash.
HASHED_FIELDS = (
    "seq",
    "timestamp",
    "actor_id",
    "actor_name",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "result",
    "origin",
    "detail",
    "prev_hash",
)


def entry_hash(
    *,
    seq: int,
    timestamp: dt.datetime,
    actor_id: str,
    actor_name: str,
    actor_role: str,
    action: str,
    object_type: str,
    object_id: str | None,
    result: str,
    origin: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        {
            "seq": seq,
            "timestamp": timestamp.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "actor_id": actor_id,
            "actor_name": actor_name,
            "actor_role": actor_role,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "result": result,
            "origin": origin,
            "detail": detail,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str,
    object_id: str | None = None,
    result: str = "success",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the session's transaction; the caller commits it with the action itself."""
    head = session.execute(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()).scalar_one()
    seq = head.last_seq + 1
    timestamp = utc_now()
    values = {
        "seq": seq,
        "timestamp": timestamp,
        "actor_id": actor.id,
        "actor_name": actor.name[:120],
        "actor_role": actor.role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "result": result,
        "origin": actor.origin[:80],
        "detail": detail or {},
        "prev_hash": head.last_hash,
    }
    entry = AuditEntry(**values, hash=entry_hash(**values))
    session.add(entry)
    head.last_seq = seq
    head.last_hash = entry.hash
    session.flush()
    return entry


@dataclass(frozen=True)
class Verification:
    valid: bool
    entries: int
    first_broken_seq: int | None = None
    problem: str | None = None


def verify(session: Session) -> Verification:
    """Recompute the whole chain. Streams the table in batches so a year of entries fits in memory."""
    head = session.get(AuditChainHead, 1)
    # The retention job removes the oldest entries and moves the anchor: verification starts there.
    expected_prev = head.anchor_prev_hash if head else GENESIS_HASH
    expected_seq = head.anchor_seq if head else 1
    count = 0
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    for entry in session.execute(query).scalars():
        count += 1
        if entry.seq != expected_seq:
            return Verification(False, count, expected_seq, problem_detail("audit_line_missing"))
        if entry.prev_hash != expected_prev:
            return Verification(False, count, entry.seq, problem_detail("audit_chain_broken"))
        recomputed = entry_hash(**{name: getattr(entry, name) for name in HASHED_FIELDS})
        if recomputed != entry.hash:
            return Verification(False, count, entry.seq, problem_detail("audit_line_changed"))
        expected_prev = entry.hash
        expected_seq += 1
    if head is None or head.last_seq != expected_seq - 1 or head.last_hash != expected_prev:
        return Verification(False, count, count + 1, problem_detail("audit_tail_missing"))
    return Verification(True, count)
