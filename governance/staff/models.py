"""Staff accounts. Only a hash of the bearer token is kept, like conversation tokens, and it expires."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, UTCDateTime, utc_now

ROLES = ("agent", "reviewer", "admin")


class StaffAccount(Base):
    __tablename__ = "staff_account"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A token is good for one shift (GOV_STAFF_TOKEN_HOURS); `user rotate` gives a new one and ends the old one.
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # AI literacy (AI Act art. 4): which version of the staff guide this person confirmed having read, and when
    guide_version: Mapped[str | None] = mapped_column(String(16), nullable=True)
    guide_acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
