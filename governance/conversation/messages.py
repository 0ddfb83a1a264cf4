"""Appending a message to a conversation: the one place that hands out sequence numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value

from governance import ids, metrics
from governance.conversation.models import Conversation, Message
from governance.db import get_by_id, utc_now

LOCKED = "locked_conversations"


def lock_conversation(session: Session, conversation: Conversation) -> str:
    """Lock the conversation's row for the rest of the transaction and return its current state.

    On PostgreSQL this is a row lock, so concurrent writers to one conversation take turns; on SQLite every
    write transaction already holds the database lock (see db.make_engine). Once locked in a transaction,
    nobody else can change the state, so asking again (every add_message does) reads no row: a turn runs
    several of these and each statement is on the path of the citizen's answer.
    """
    locked: set[str] = session.info.setdefault(LOCKED, set())
    if conversation.id in locked:
        return conversation.state
    state, last_seq = session.execute(
        select(Conversation.state, Conversation.last_seq).where(Conversation.id == conversation.id).with_for_update()
    ).one()
    # what another worker wrote since this object was loaded (an agent's message, a handover) counts
    set_committed_value(conversation, "state", state)
    set_committed_value(conversation, "last_seq", last_seq)
    locked.add(conversation.id)
    return state


def load_locked(session: Session, conversation_id: str) -> Conversation | None:
    """Load a conversation and lock its row in one statement, for a transaction that is going to write to it."""
    conversation = get_by_id(session, Conversation, conversation_id, with_for_update=True, populate_existing=True)
    if conversation is not None:
        session.info.setdefault(LOCKED, set()).add(conversation.id)
    return conversation


@event.listens_for(Session, "after_transaction_end")
def _locks_released(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # commit or rollback of the transaction itself, not of a savepoint
        session.info.pop(LOCKED, None)


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
    seq = conversation.last_seq + 1
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
    conversation.last_seq = seq
    conversation.last_activity_at = message.created_at
    session.flush()
    metrics.MESSAGES.labels(role).inc()
    return message
