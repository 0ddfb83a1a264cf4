"""Handover between the bot and contact-centre staff: offering, queueing, claiming, talking, resolving.

The bot (Rasa) only decides *that* a person is needed and says why; this module owns the dialogue that
follows, because only the gateway knows the office hours, the queue and the kill switch. Every staff action
is audited in the same transaction as the action itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from governance import ids, metrics
from governance.audit import service as audit
from governance.audit.service import Actor
from governance.conversation.intake import ACCEPT_PAYLOAD, CANCEL_PAYLOAD, DECLINE_PAYLOAD
from governance.conversation.messages import add_message, lock_conversation
from governance.conversation.models import Conversation, Message
from governance.conversation.states import ConversationState, move_conversation
from governance.db import get_by_id, utc_now
from governance.errors import Problem
from governance.events import QUEUE_TOPIC, conversation_topic
from governance.handover.models import CallbackRequest, Escalation, StaffNote
from governance.handover.queue import QueueInfo, queue_info, wait_in_words
from governance.handover.states import EscalationState, move_escalation
from governance.problem_texts import problem_detail
from governance.runtime import Runtime
from knowledge.contract import EscalationReason
from knowledge.municipality import describe_moment

OUTCOMES = ("answered", "referred", "callback_done", "no_response", "not_municipal", "crisis_referred", "duplicate", "other")
PRIORITY = {EscalationReason.CRISIS.value: 100, EscalationReason.KILL_SWITCH.value: 10}


@dataclass(frozen=True)
class HandoverContext:
    """Why a person is needed and about what, carried from the bot's decision to the escalation."""

    reason: str
    topic: str | None = None


# --- office hours and offers --------------------------------------------------------------------------


def chat_staffed(runtime: Runtime, now: dt.datetime) -> bool:
    mode = runtime.settings.chat_staffed
    if mode == "always":
        return True
    if mode == "never":
        return False
    return runtime.municipality.chat_hours.is_open(now)


def next_opening_words(runtime: Runtime, now: dt.datetime, language: str = "nl") -> str:
    hours = runtime.municipality.chat_hours
    opening = hours.next_opening(now)
    if opening is None:
        return runtime.texts.get("next_working_day", language)
    return describe_moment(opening, now.astimezone(hours.timezone), language)


def offer(session: Session, runtime: Runtime, conversation: Conversation) -> list[Message]:
    """Ask consent first ("Wil je dat ik je doorverbind…"), or offer a call-back when nobody is there."""
    texts = runtime.texts
    now = runtime.clock()
    if not chat_staffed(runtime, now):
        return [_out_of_hours(session, runtime, conversation, now)]
    buttons = [
        {"title": texts.get("handover_button_yes", conversation.locale), "payload": ACCEPT_PAYLOAD},
        {"title": texts.get("handover_button_no", conversation.locale), "payload": DECLINE_PAYLOAD},
    ]
    text = texts.get("handover_offer", conversation.locale)
    return [add_message(session, conversation, role="system", text=text, buttons=buttons)]


def _out_of_hours(session: Session, runtime: Runtime, conversation: Conversation, now: dt.datetime) -> Message:
    language = conversation.locale
    text = runtime.texts.get("handover_out_of_hours", language, next_opening=next_opening_words(runtime, now, language))
    return add_message(session, conversation, role="system", text=text, form="callback")


def start_waiting(session: Session, runtime: Runtime, conversation: Conversation, context: HandoverContext) -> list[Message]:
    """Put the conversation in the live queue (after consent, or at once for a crisis). Commits."""
    now = runtime.clock()
    if not chat_staffed(runtime, now):
        message = _out_of_hours(session, runtime, conversation, now)
        session.commit()
        return [message]
    move_conversation(session, conversation, ConversationState.BOT, ConversationState.WAITING)
    escalation = Escalation(
        id=ids.new_id("e"),
        conversation_id=conversation.id,
        kind="chat",
        state=EscalationState.WAITING.value,
        reason=context.reason,
        priority=PRIORITY.get(context.reason, 0),
        topic=context.topic,
        waiting_since=utc_now(),
    )
    session.add(escalation)
    session.flush()
    info = current_queue_info(session, runtime, escalation)
    message = add_message(
        session,
        conversation,
        role="system",
        text=runtime.texts.get(
            "handover_queued",
            conversation.locale,
            position=info.position,
            wait=wait_in_words(info.expected_wait_seconds, runtime.texts, conversation.locale),
        ),
        buttons=[{"title": runtime.texts.get("handover_button_cancel", conversation.locale), "payload": CANCEL_PAYLOAD}],
    )
    session.commit()
    metrics.HANDOVERS.labels(context.reason).inc()
    runtime.events.notify(QUEUE_TOPIC, conversation_topic(conversation.id))
    return [message]


def current_queue_info(session: Session, runtime: Runtime, escalation: Escalation) -> QueueInfo:
    settings = runtime.settings
    return queue_info(
        session,
        escalation,
        now=runtime.clock(),
        history=settings.wait_history_size,
        default_seconds=settings.default_handling_minutes * 60,
    )


def open_escalation(session: Session, conversation_id: str) -> Escalation | None:
    return session.scalar(
        select(Escalation)
        .where(
            Escalation.conversation_id == conversation_id,
            Escalation.kind == "chat",
            Escalation.state != EscalationState.CLOSED.value,
        )
        .order_by(Escalation.waiting_since.desc())
    )


def cancel_waiting(session: Session, runtime: Runtime, conversation: Conversation) -> list[Message]:
    """The citizen stops waiting: back to the bot; the escalation closes as cancelled."""
    escalation = open_escalation(session, conversation.id)
    move_conversation(session, conversation, ConversationState.WAITING, ConversationState.BOT)
    if escalation is not None:
        move_escalation(
            session,
            escalation,
            EscalationState.WAITING,
            EscalationState.CLOSED,
            {"resolved_at": utc_now(), "outcome": "cancelled_by_citizen"},
        )
    message = add_message(session, conversation, role="system", text=runtime.texts.get("handover_cancelled", conversation.locale))
    session.commit()
    runtime.events.notify(QUEUE_TOPIC, conversation_topic(conversation.id))
    return [message]


def prioritise_crisis(session: Session, runtime: Runtime, conversation: Conversation) -> list[Message]:
    """A crisis message while waiting: the help numbers at once, and the conversation to the front."""
    escalation = open_escalation(session, conversation.id)
    if escalation is not None and escalation.priority < PRIORITY[EscalationReason.CRISIS.value]:
        escalation.priority = PRIORITY[EscalationReason.CRISIS.value]
        escalation.reason = EscalationReason.CRISIS.value
    message = add_message(
        session, conversation, role="system", text=runtime.texts.get("crisis_while_waiting", conversation.locale)
    )
    session.commit()
    runtime.events.notify(QUEUE_TOPIC, conversation_topic(conversation.id))
    return [message]


# --- call-back requests ---------------------------------------------------------------------------------


def submit_callback(
    session: Session,
    runtime: Runtime,
    conversation: Conversation,
    *,
    name: str,
    phone: str | None,
    email: str | None,
    question: str,
    reason: str,
) -> Message:
    now = runtime.clock()
    if chat_staffed(runtime, now):
        raise Problem(409, "callback_not_needed", runtime.texts.get("callback_not_needed"))
    escalation = Escalation(
        id=ids.new_id("e"),
        conversation_id=conversation.id,
        kind="callback",
        state=EscalationState.WAITING.value,
        reason=reason,
        priority=PRIORITY.get(reason, 0),
        waiting_since=utc_now(),
    )
    session.add(escalation)
    session.flush()
    seal = runtime.sealer.seal
    session.add(
        CallbackRequest(
            escalation_id=escalation.id,
            name=seal(name),
            phone=seal(phone) if phone else None,
            email=seal(email) if email else None,
            # the question is free text: screened like a chat message, then encrypted
            question=seal(runtime.pii.redact(question).text),
            consent_at=utc_now(),
        )
    )
    message = add_message(
        session,
        conversation,
        role="system",
        text=runtime.texts.get(
            "callback_received", conversation.locale, next_opening=next_opening_words(runtime, now, conversation.locale)
        ),
    )
    session.commit()
    metrics.CALLBACKS.inc()
    runtime.events.notify(QUEUE_TOPIC, conversation_topic(conversation.id))
    return message


# --- staff actions --------------------------------------------------------------------------------------


def load_escalation(session: Session, escalation_id: str) -> Escalation:
    escalation = get_by_id(session, Escalation, escalation_id)
    if escalation is None:
        raise Problem(404, "escalation_not_found", problem_detail("escalation_not_found"))
    return escalation


def _conversation_of(session: Session, escalation: Escalation) -> Conversation | None:
    return session.get(Conversation, escalation.conversation_id) if escalation.conversation_id else None


def _lock_conversation_first(session: Session, escalation: Escalation) -> Conversation | None:
    """Lock order everywhere: the conversation's row before the escalation's. The citizen's side (a message,
    "stop waiting") starts at the conversation; a staff action that started at the escalation deadlocked
    against it on PostgreSQL (claim racing cancel, seen in the concurrency test)."""
    conversation = _conversation_of(session, escalation)
    if conversation is not None:
        lock_conversation(session, conversation)
    return conversation


def _require_assignee(escalation: Escalation, actor: Actor) -> None:
    if escalation.state != EscalationState.HUMAN.value:
        raise Problem(409, "not_claimed", problem_detail("not_claimed"))
    if escalation.assignee_id != actor.id:
        raise Problem(409, "claimed_by_other", problem_detail("claimed_by_other"))


def claim(session: Session, runtime: Runtime, escalation: Escalation, actor: Actor) -> Escalation:
    now = utc_now()
    conversation = _lock_conversation_first(session, escalation)
    move_escalation(
        session,
        escalation,
        EscalationState.WAITING,
        EscalationState.HUMAN,
        {"assignee_id": actor.id, "claimed_at": now, "first_claimed_at": escalation.first_claimed_at or now},
        detail=problem_detail("escalation_taken"),
    )
    if escalation.kind == "chat" and conversation is not None:
        move_conversation(
            session, conversation, ConversationState.WAITING, ConversationState.HUMAN, problem_detail("citizen_stopped_waiting")
        )
        add_message(session, conversation, role="system", text=runtime.texts.get("agent_joined", conversation.locale))
    audit.record(session, actor, "escalation.claim", object_type="escalation", object_id=escalation.id)
    session.commit()
    metrics.TAKEOVERS.inc()
    if escalation.first_claimed_at == now:  # the first time a person picks it up, not after a transfer
        metrics.TIME_TO_HUMAN.observe(max(0.0, (now - escalation.waiting_since).total_seconds()))
    _notify(runtime, escalation)
    return escalation


def transfer(session: Session, runtime: Runtime, escalation: Escalation, actor: Actor) -> Escalation:
    """Back to the queue, keeping the citizen's place (waiting_since is not reset)."""
    _require_assignee(escalation, actor)
    conversation = _lock_conversation_first(session, escalation)
    move_escalation(
        session, escalation, EscalationState.HUMAN, EscalationState.WAITING, {"assignee_id": None, "claimed_at": None}
    )
    if escalation.kind == "chat" and conversation is not None:
        move_conversation(session, conversation, ConversationState.HUMAN, ConversationState.WAITING)
        add_message(session, conversation, role="system", text=runtime.texts.get("agent_transferred", conversation.locale))
    audit.record(session, actor, "escalation.transfer", object_type="escalation", object_id=escalation.id)
    session.commit()
    _notify(runtime, escalation)
    return escalation


def agent_message(session: Session, runtime: Runtime, escalation: Escalation, actor: Actor, text: str) -> Message:
    _require_assignee(escalation, actor)
    conversation = _conversation_of(session, escalation)
    if escalation.kind != "chat" or conversation is None:
        raise Problem(409, "no_chat", problem_detail("no_chat"))
    if lock_conversation(session, conversation) != ConversationState.HUMAN.value:
        raise Problem(409, "not_in_conversation", problem_detail("not_in_conversation"))
    message = add_message(session, conversation, role="agent", text=text, author_id=actor.id)
    # The audit log says that a message was sent, not what it said: the transcript has the words.
    audit.record(
        session, actor, "escalation.message", object_type="escalation", object_id=escalation.id, detail={"message_id": message.id}
    )
    session.commit()
    _notify(runtime, escalation)
    return message


def resolve(
    session: Session, runtime: Runtime, escalation: Escalation, actor: Actor, *, outcome: str, return_to_bot: bool
) -> Escalation:
    _require_assignee(escalation, actor)
    conversation = _lock_conversation_first(session, escalation)
    move_escalation(
        session, escalation, EscalationState.HUMAN, EscalationState.CLOSED, {"resolved_at": utc_now(), "outcome": outcome}
    )
    if escalation.kind == "chat" and conversation is not None:
        target = ConversationState.BOT if return_to_bot else ConversationState.CLOSED
        move_conversation(session, conversation, ConversationState.HUMAN, target)
        key = "resolved_to_bot" if return_to_bot else "resolved_closed"
        add_message(session, conversation, role="system", text=runtime.texts.get(key, conversation.locale))
    if escalation.kind == "callback":
        # the contact details were given for this call-back only: they go when it is done
        session.execute(delete(CallbackRequest).where(CallbackRequest.escalation_id == escalation.id))
    audit.record(
        session,
        actor,
        "escalation.resolve",
        object_type="escalation",
        object_id=escalation.id,
        detail={"outcome": outcome, "return_to_bot": return_to_bot},
    )
    session.commit()
    metrics.RESOLVED.labels(outcome).inc()
    _notify(runtime, escalation)
    return escalation


def add_note(session: Session, runtime: Runtime, escalation: Escalation, actor: Actor, text: str) -> StaffNote:
    note = StaffNote(id=ids.new_id("n"), escalation_id=escalation.id, author_id=actor.id, text=text)
    session.add(note)
    session.flush()
    audit.record(
        session, actor, "escalation.note", object_type="escalation", object_id=escalation.id, detail={"note_id": note.id}
    )
    session.commit()
    _notify(runtime, escalation)
    return note


def _notify(runtime: Runtime, escalation: Escalation) -> None:
    topics = [QUEUE_TOPIC, f"escalation:{escalation.id}"]
    if escalation.conversation_id:
        topics.append(conversation_topic(escalation.conversation_id))
    runtime.events.notify(*topics)
