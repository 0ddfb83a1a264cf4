"""Escalations (a conversation in the staff queue, or a call-back request), staff notes, call-back details,
and the service-wide switches (the kill switch)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, UTCDateTime, utc_now


class Escalation(Base):
    """One request for a person. kind `chat`: the conversation waits in the live queue; kind `callback`: the
    citizen left contact details outside office hours and the conversation itself goes on with the bot."""

    __tablename__ = "escalation"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="chat")
    state: Mapped[str] = mapped_column(String(16), index=True)  # waiting, human, closed
    reason: Mapped[str] = mapped_column(String(40))
    priority: Mapped[int] = mapped_column(Integer, default=0)  # crisis first
    topic: Mapped[str | None] = mapped_column(String(40), nullable=True)
    waiting_since: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("staff_account.id"), nullable=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)


class StaffNote(Base):
    """Internal notes on an escalation; never shown to the citizen."""

    __tablename__ = "staff_note"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    escalation_id: Mapped[str] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("staff_account.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class CallbackRequest(Base):
    """What a citizen left for a call-back, with consent. Every field is encrypted at rest (privacy/crypto.py);
    the row is deleted when the call-back is resolved, or by the retention job."""

    __tablename__ = "callback_request"

    escalation_id: Mapped[str] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text, nullable=True)
    email: Mapped[str | None] = mapped_column(Text, nullable=True)
    question: Mapped[str] = mapped_column(Text)
    consent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
