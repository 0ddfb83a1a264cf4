"""Appending a message to a conversation: the one place that hands out sequence numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from governance import ids, metrics
from governance.conversation.models import Conversation, Message
from governance.db import utc_now


def lock_conversation(session: Session, conversation: Conversation) -> str:
    """Lock the conversation's row for the rest of the transaction and return its current state.

    On PostgreSQL this is a row lock, so concurrent writers to one conversation take turns; on SQLite every
    write transaction already holds the database lock (see db.make_engine).
    """
    state = session.execute(select(Conversation.state).where(Conversation.id == conversation.id).with_for_update()).scalar_one()
    set_committed_value(conversation, "state", state)
    return state


def add_message(
    session: Session,
    conversation: Conversation,
    *,
    role: str,
    text: str,
    buttons: list[dict[str, str]] | None = None,
    explanation: dict[str, Any] | None = None,
    author_id: str | None = None,
    form: str | None = None,
    message_id: str | None = None,
    created_at: dt.datetime | None = None,
    client_key: str | None = None,
) -> Message:
    lock_conversation(session, conversation)
    seq = (
        session.scalar(select(func.coalesce(func.max(Message.seq), 0)).where(Message.conversation_id == conversation.id)) or 0
    ) + 1
    message = Message(
        id=message_id or ids.new_id("m"),
        conversation_id=conversation.id,
        seq=seq,
        role=role,
        text=text,
        buttons=buttons or [],
        explanation=explanation,
        author_id=author_id,
        form=form,
        created_at=created_at or utc_now(),
        client_key=client_key,
    )
    session.add(message)
    conversation.last_activity_at = message.created_at
    session.flush()
    metrics.MESSAGES.labels(role).inc()
    return message
