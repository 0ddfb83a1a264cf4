"""Conversations and their messages. The Rasa sender id is a separate pseudonym, never the citizen's id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.db import Base, UTCDateTime, utc_now


class Conversation(Base):
    __tablename__ = "conversation"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(40), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="bot")
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    last_activity_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    # When the citizen was told not to share personal data here (told once per conversation).
    pii_notice_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Held back from the retention job while under review (complaint, incident, legal hold).
    preserve: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The sequence number of the newest message; add_message hands out the next one while it holds the
    # conversation's lock, with no query for the highest number so far.
    last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.seq", cascade="all, delete-orphan"
    )


class Message(Base):
    __tablename__ = "message"
    # Two writers can never give a conversation the same sequence number (see service._lock_conversation).
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_message_conversation_seq"),
        # A retried request (same Idempotency-Key) never stores the citizen's words twice.
        UniqueConstraint("conversation_id", "client_key", name="uq_message_conversation_client_key"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # citizen, assistant, agent, system
    # Which staff account wrote an agent message (the citizen sees only "medewerker").
    author_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # A form the widget shows with this message (e.g. the call-back request outside office hours).
    form: Mapped[str | None] = mapped_column(String(20), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    explanation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    # The Idempotency-Key the widget sent with a citizen's message, if any.
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
