"""Service-wide switches (the kill switch) in the database, so that every worker sees the same value at once.

Its own package below conversation, handover and staff, which all read it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, UTCDateTime


class SystemSwitch(Base):
    """Service-wide switches kept in the database so that every worker sees the same value at once."""

    __tablename__ = "system_switch"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
