"""Storing a turn: each reply with its decision record, committed before anything is returned (contract
section 5); the outage spool when the database is away; the privacy notice; a repeated request answered once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from governance import ids
from governance.conversation.intake import Turn
from governance.conversation.messages import add_message
from governance.conversation.models import Conversation, Message
from governance.conversation.replies import BotReply, finish_decision, listed_kinds
from governance.conversation.states import ConversationState
from governance.db import utc_now
from governance.decision.models import DecisionRecord
from governance.decision.service import record_decision
from governance.errors import Problem
from governance.problem_texts import problem_detail
from governance.runtime import Runtime

logger = logging.getLogger(__name__)


def store_replies(
    session: Session,
    runtime: Runtime,
    conversation: Conversation,
    turn: Turn,
    replies: list[BotReply],
    *,
    trace_id: str,
    started: float,
) -> list[Message]:
    """Store each reply with its decision record and commit both before anything is returned."""
    turn_number = citizen_turns(session, conversation.id)
    latency_ms = int((time.perf_counter() - started) * 1000)
    stored = []
    for reply in replies:
        finish_decision(runtime, turn, reply)
        message = add_message(
            session, conversation, role="assistant", text=reply.text, buttons=reply.buttons, explanation=reply.explanation
        )
        record_decision(
            session,
            decision_id=reply.explanation["decision_id"],
            conversation_id=conversation.id,
            message_id=message.id,
            turn=turn_number,
            timestamp=message.created_at,
            input_text_redacted=turn.text,
            explanation=reply.explanation,
            knowledge_version=runtime.knowledge.version,
            latency_ms=latency_ms,
            trace_id=trace_id,
            span_id=ids.new_span_id(),
        )
        stored.append(message)
    session.commit()
    return stored


def spool_replies(
    runtime: Runtime, conversation: Conversation, turn: Turn, answer: tuple[list[BotReply], str], started: float
) -> list[Message]:
    replies, trace_id = answer
    now = utc_now()
    shown, spooled = [], []
    for reply in replies:
        finish_decision(runtime, turn, reply)
        message = Message(
            id=ids.new_id("m"), conversation_id=conversation.id, seq=0, role="assistant", text=reply.text,
            buttons=reply.buttons, explanation=reply.explanation, form=None, created_at=now,
        )  # fmt: skip
        shown.append(message)
        spooled.append(
            {
                "message_id": message.id,
                "decision_id": reply.explanation["decision_id"],
                "span_id": ids.new_span_id(),
                "text": reply.text,
                "buttons": reply.buttons,
                "explanation": reply.explanation,
                "created_at": now.isoformat(),
            }
        )
    runtime.spool.put(
        {
            "conversation_id": conversation.id,
            "input_text_redacted": turn.text,
            "turn": 0,
            "knowledge_version": runtime.knowledge.version,
            "latency_ms": int((time.perf_counter() - started) * 1000),
            "trace_id": trace_id,
            "replies": spooled,
        }
    )
    return shown


def citizen_turns(session: Session, conversation_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id, Message.role == "citizen")
        )
        or 0
    )


def privacy_notice(session: Session, runtime: Runtime, conversation: Conversation, turn: Turn) -> list[Message]:
    """The first time personal data is screened out, say so kindly and why; after that, just help."""
    if not turn.pii or conversation.pii_notice_at is not None:
        return []
    conversation.pii_notice_at = utc_now()
    listed = listed_kinds(turn.pii, conversation.locale)
    text = runtime.texts.get("pii_notice", conversation.locale, kinds=listed)
    return [add_message(session, conversation, role="system", text=text)]


def last_message_to_citizen(session: Session, conversation: Conversation) -> Message | None:
    return session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.role != "citizen")
        .order_by(Message.seq.desc())
        .limit(1)
    )


def repeated_turn(
    session: Session, runtime: Runtime, conversation: Conversation, repeated: Message
) -> tuple[list[Message], bool]:
    """The same request again (a retry after a network drop, or after the worker handling it stopped): the
    citizen's words are never stored twice. Answered already: the same answer. Still being answered: 409.
    Never answered and older than a turn can take: the turn was cut off, so it is answered now, once."""
    later = session.scalars(
        select(Message).where(Message.conversation_id == conversation.id, Message.seq > repeated.seq).order_by(Message.seq)
    ).all()
    answered = []
    for message in later:
        if message.role == "citizen":
            break
        answered.append(message)
    if answered or conversation.state != ConversationState.BOT.value:
        session.commit()
        return answered, False
    if utc_now() - repeated.created_at < dt.timedelta(seconds=runtime.settings.rasa_timeout_seconds + 5):
        session.rollback()
        raise Problem(409, "turn_in_progress", problem_detail("turn_in_progress"))
    logger.warning("answering a turn that was cut off", extra={"conversation": conversation.id})
    session.commit()
    return [], True


def write_spooled(session_factory: sessionmaker[Session], entry: dict[str, Any]) -> int:
    """A turn spooled during a database outage (governance.spool), written with the message ids the citizen
    already has. Writing it twice writes nothing twice: the decision id is the key."""
    with session_factory() as session:
        replies = entry["replies"]
        if session.scalar(select(DecisionRecord.decision_id).where(DecisionRecord.decision_id == replies[0]["decision_id"])):
            return 0  # written before (a replay that was interrupted after its commit)
        conversation = session.get(Conversation, entry["conversation_id"])
        if conversation is None:
            return 0  # erased meanwhile: nothing of it may come back
        first = dt.datetime.fromisoformat(replies[0]["created_at"])
        # the turn's number: the citizen messages up to this answer (the citizen's message was stored in time)
        turn = entry["turn"] or session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == conversation.id, Message.role == "citizen", Message.created_at <= first)
        )
        for reply in replies:
            created = dt.datetime.fromisoformat(reply["created_at"])
            message = add_message(
                session,
                conversation,
                role="assistant",
                text=reply["text"],
                buttons=reply["buttons"],
                explanation=reply["explanation"],
                message_id=reply["message_id"],
                created_at=created,
            )
            record_decision(
                session,
                decision_id=reply["decision_id"],
                conversation_id=conversation.id,
                message_id=message.id,
                turn=turn or 1,
                timestamp=created,
                input_text_redacted=entry["input_text_redacted"],
                explanation=reply["explanation"],
                knowledge_version=entry["knowledge_version"],
                latency_ms=entry["latency_ms"],
                trace_id=entry["trace_id"],
                span_id=reply["span_id"],
            )
        session.commit()
        return len(replies)
