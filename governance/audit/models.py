"""The staff-action audit log (BIO 8.15.01): append-only, each entry chained to the previous by a hash.

`audit_chain_head` holds the newest entry's sequence number and hash. Appending locks that row, which
serialises writers (so the chain never forks), and verification compares against it, so deleting the last
entries is detected too. Database triggers (see the migration) refuse UPDATE and DELETE on the log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    timestamp: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[str] = mapped_column(String(40))
    actor_name: Mapped[str] = mapped_column(String(120))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    result: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    # Where verification starts: after the retention job removed the oldest entries, the first remaining
    # entry and the hash it must point back to.
    anchor_seq: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    anchor_prev_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH, server_default=GENESIS_HASH)


class AuditRetentionGate(Base):
    """The database triggers refuse DELETE on the audit log unless the retention job opened this gate inside
    its own transaction (nobody else ever sees it open)."""

    __tablename__ = "audit_retention_gate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    open: Mapped[bool] = mapped_column(Boolean, default=False)
