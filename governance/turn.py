"""One citizen turn, top to bottom: intake -> safety -> bot -> replies -> store (-> handover).

    intake    the owner's token, the rate limit, the PII screen and the safety rules (conversation.intake)
    safety    a person is waiting or busy, the kill switch, another language, a ja/nee to an offer: answered
              here without the bot (_without_bot)
    bot       Rasa is asked with no transaction open (conversation.replies)
    replies   each reply explained and stored with its decision record, or spooled while the database is
              away (conversation.store)
    handover  a reply that needs a person: a crisis goes to the queue at once, anything else is offered

Order matters: the citizen's message is committed before Rasa is asked (so nothing is lost when the bot is
down), and every decision record is committed before the reply is returned (contract section 5). This is the
only module that knows both the conversation and the handover; neither of them imports the other's service.
"""

from __future__ import annotations

import contextlib
import time

from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from starlette.concurrency import run_in_threadpool

from governance import ids, metrics
from governance.conversation import intake, store
from governance.conversation.intake import DECLINE_PAYLOAD, Turn
from governance.conversation.messages import add_message, lock_conversation
from governance.conversation.models import Conversation, Message
from governance.conversation.replies import BotReply, bot_replies, gateway_reply, safety_reply_without_bot
from governance.conversation.schemas import MessageCreate
from governance.conversation.states import ConversationState, bot_may_answer
from governance.decision.models import DecisionRecord
from governance.errors import Problem
from governance.events import conversation_topic
from governance.handover import service as handover
from governance.languages import Notice
from governance.runtime import Runtime
from governance.statemachine import InvalidTransition
from governance.switches import killswitch
from knowledge.contract import EscalationReason


async def handle_citizen_message(
    session: Session,
    runtime: Runtime,
    *,
    conversation_id: str,
    authorization: str | None,
    body: MessageCreate,
    client_key: str | None = None,
) -> tuple[Conversation, list[Message]]:
    """The database work runs in the thread pool, never on the event loop: a SQLite writer waiting for the
    lock must not stop the loop from finishing the request that holds it. Only the call to Rasa is awaited
    here, with no transaction open. Two hops to the pool per turn, each one transaction: every hop and
    commit is on the path of every citizen's answer (make bench)."""
    started = time.perf_counter()
    conversation, turn, messages, ask_bot = await run_in_threadpool(
        _before_bot, session, runtime, conversation_id, authorization, body, client_key
    )
    if ask_bot:
        answer = await bot_replies(runtime, conversation, turn)
        known = {"id": conversation.id, "state": conversation.state}
        try:
            messages += await run_in_threadpool(_after_bot, session, runtime, conversation, turn, answer, started)
        except (OperationalError, InterfaceError):
            # The database went away while Rasa answered: the citizen still gets the answer; the decision
            # records wait on disk and are written when the database is back (governance.spool).
            with contextlib.suppress(Exception):
                session.rollback()
            for name, value in known.items():  # a rollback expires them; reading them again needs the database
                set_committed_value(conversation, name, value)
            messages += await run_in_threadpool(store.spool_replies, runtime, conversation, turn, answer, started)
    metrics.TURN_SECONDS.observe(time.perf_counter() - started)
    return conversation, messages


def _before_bot(
    session: Session,
    runtime: Runtime,
    conversation_id: str,
    authorization: str | None,
    body: MessageCreate,
    client_key: str | None = None,
) -> tuple[Conversation, Turn, list[Message], bool]:
    """Check the token, store the citizen's message and handle everything that needs no bot. Returns the
    conversation, the turn, the messages so far, and whether Rasa must be asked (then no transaction is open)."""
    started = time.perf_counter()
    conversation = intake.load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization, lock=True)
    intake.count_towards_limit(session, runtime, conversation)
    turn = intake.parse_turn(runtime, body)
    if body.text is not None:
        # detected on the message as typed, in memory only; the conversation remembers it for short messages
        turn.language = runtime.languages.detect(body.text, conversation.locale)
        conversation.locale = turn.language
    else:
        # a button answers in the language the conversation is in, if the assistant speaks it
        turn.language = conversation.locale if runtime.languages.answers_in(conversation.locale) else "nl"
    turn.metadata["language"] = turn.language
    if conversation.state == ConversationState.CLOSED.value:
        session.rollback()
        raise Problem(409, "conversation_closed", runtime.texts.get("conversation_closed"))
    repeated = (
        session.scalar(select(Message).where(Message.conversation_id == conversation.id, Message.client_key == client_key))
        if client_key is not None
        else None
    )
    if repeated is not None:
        answered, cut_off = store.repeated_turn(session, runtime, conversation, repeated)
        if not cut_off:
            return conversation, turn, answered, False
        notices: list[Message] = []  # the citizen's words were stored by the attempt that was cut off
    else:
        last = store.last_message_to_citizen(session, conversation)
        if turn.gateway_action is None and _offers_a_person(last):
            turn.gateway_action = intake.reply_to_offer(turn.text)
        shown = intake.button_label(runtime, last, turn.text) if body.payload is not None else turn.text
        add_message(session, conversation, role="citizen", text=shown, client_key=client_key)
        notices = store.privacy_notice(session, runtime, conversation, turn)
        if _handed_back(runtime, last):
            # A person helped in between: the bot's context of before the handover no longer holds.
            turn.metadata["after_handover"] = True
    turn.kill_switch = killswitch.current(session).enabled  # read in this transaction, not in a new one
    session.commit()
    if repeated is None:
        runtime.events.notify(conversation_topic(conversation.id))
    handled = _without_bot(session, runtime, conversation, turn, started)
    if handled is not None:
        return conversation, turn, notices + handled, False
    session.commit()  # no transaction stays open while Rasa is asked
    return conversation, turn, notices, True


def _without_bot(
    session: Session, runtime: Runtime, conversation: Conversation, turn: Turn, started: float
) -> list[Message] | None:
    """The answer when the bot must not or need not be asked; None when Rasa should answer."""
    state = ConversationState(conversation.state)
    if not bot_may_answer(state):
        # Waiting for or talking to a person: the bot stays silent, the staff member reads along.
        if state == ConversationState.WAITING and turn.gateway_action == "cancel":
            return handover.cancel_waiting(session, runtime, conversation)
        if state == ConversationState.WAITING and turn.is_crisis:
            return handover.prioritise_crisis(session, runtime, conversation)
        return []
    if turn.gateway_action == "cancel":
        return []  # a stale "stop waiting" button: there is no wait to stop
    if turn.gateway_action == "accept":
        return handover.start_waiting(session, runtime, conversation, handover_context(session, conversation))
    if turn.kill_switch:
        return _answer_while_switched_off(session, runtime, conversation, turn, started)
    notice = runtime.languages.notice(turn.language)
    if notice is not None and turn.safety is None:
        return _answer_in_another_language(session, runtime, conversation, turn, notice, started)
    if turn.gateway_action == "decline":
        turn.rasa_message = DECLINE_PAYLOAD
    return None


def _after_bot(
    session: Session,
    runtime: Runtime,
    conversation: Conversation,
    turn: Turn,
    answer: tuple[list[BotReply], str],
    started: float,
) -> list[Message]:
    replies, trace_id = answer
    if lock_conversation(session, conversation) != ConversationState.BOT.value:
        # A person took over (or the citizen asked for one) while Rasa was thinking: the bot stays silent.
        session.rollback()
        return []
    stored = store.store_replies(session, runtime, conversation, turn, replies, trace_id=trace_id, started=started)
    return stored + _follow_up_escalation(session, runtime, conversation, replies)


def _follow_up_escalation(
    session: Session, runtime: Runtime, conversation: Conversation, replies: list[BotReply]
) -> list[Message]:
    """The bot decided a person is needed: a crisis goes to the queue at once, anything else is offered."""
    escalating = next((r for r in replies if r.explanation.get("escalate")), None)
    if escalating is None:
        return []
    context = handover.HandoverContext(
        reason=escalating.explanation.get("escalation_reason") or EscalationReason.CITIZEN_REQUEST.value,
        topic=escalating.explanation.get("topic"),
    )
    try:
        if context.reason == EscalationReason.CRISIS.value:
            return handover.start_waiting(session, runtime, conversation, context)
        messages = handover.offer(session, runtime, conversation)
        session.commit()
        return messages
    except InvalidTransition:
        session.rollback()  # someone else moved the conversation meanwhile; the bot's reply stands
        return []


def _answer_while_switched_off(
    session: Session, runtime: Runtime, conversation: Conversation, turn: Turn, started: float
) -> list[Message]:
    """Kill switch on: Rasa is not asked. A crisis still gets the help numbers (from the curated text) and
    goes to the queue; everything else is told that the assistant is off and offered a person."""
    if turn.gateway_action == "decline":
        text = runtime.texts.get("handover_declined", conversation.locale)
        message = add_message(session, conversation, role="system", text=text)
        session.commit()
        return [message]
    if turn.is_crisis and turn.safety is not None:
        reply = safety_reply_without_bot(
            runtime,
            turn.safety,
            summary=runtime.texts.get("explained_safety_rule_kill_switch"),
        )
    else:
        topic = turn.safety.intent if turn.safety else "out_of_scope"
        reply = gateway_reply(
            runtime,
            topic_id=topic,
            text=runtime.texts.get("kill_switch_reply", conversation.locale),
            action="gateway_kill_switch",
            policy="KillSwitch",
            escalation_reason=EscalationReason.KILL_SWITCH,
            summary=runtime.texts.get("explained_kill_switch"),
        )
    stored = store.store_replies(session, runtime, conversation, turn, [reply], trace_id=ids.new_trace_id(), started=started)
    return stored + _follow_up_escalation(session, runtime, conversation, [reply])


def _answer_in_another_language(
    session: Session, runtime: Runtime, conversation: Conversation, turn: Turn, notice: Notice, started: float
) -> list[Message]:
    """A language the assistant does not speak: not through the Dutch model, but a fixed, human-written message
    in that language with the phone number, the desk and the crisis numbers (data/languages.yml)."""
    reply = gateway_reply(
        runtime,
        topic_id="out_of_scope",
        text=notice.text,
        action="gateway_language_notice",
        policy="LanguageRule",
        escalation_reason=None,
        summary=runtime.texts.get("language_notice_explained", language_name=notice.name_nl),
    )
    return store.store_replies(session, runtime, conversation, turn, [reply], trace_id=ids.new_trace_id(), started=started)


def _handed_back(runtime: Runtime, last: Message | None) -> bool:
    """Is this the first message since a staff member handed the conversation back to the bot?"""
    return last is not None and (
        last.role == "agent"
        or (
            last.role == "system"
            and last.text in {runtime.texts.get("resolved_to_bot", language) for language in runtime.texts.languages}
        )
    )


def _offers_a_person(last: Message | None) -> bool:
    """Did our last message to the citizen ask whether they want a person?"""
    return last is not None and any(b.get("payload") == intake.ACCEPT_PAYLOAD for b in last.buttons or [])


def handover_context(session: Session, conversation: Conversation) -> handover.HandoverContext:
    """Why the citizen is being connected: the bot's latest escalation decision, else their own request."""
    latest = session.scalar(
        select(DecisionRecord)
        .where(DecisionRecord.conversation_id == conversation.id, DecisionRecord.escalate.is_(True))
        .order_by(DecisionRecord.timestamp.desc())
        .limit(1)
    )
    if latest is None or not latest.escalation_reason:
        return handover.HandoverContext(reason=EscalationReason.CITIZEN_REQUEST.value)
    return handover.HandoverContext(reason=latest.escalation_reason, topic=latest.topic)
