"""The message path: store the citizen's words, apply the safety rules, ask Rasa, record each decision, answer.

Order matters: the citizen's message is committed before Rasa is asked (so nothing is lost when the bot is
down), and every decision record is committed before the reply is returned (contract section 5).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from starlette.concurrency import run_in_threadpool

from governance import ids, metrics
from governance.conversation.messages import add_message, load_locked, lock_conversation
from governance.conversation.models import Conversation, Message
from governance.conversation.schemas import CallbackCreate, MessageCreate
from governance.conversation.states import ConversationState, InvalidTransition, bot_may_answer
from governance.db import get_by_id, utc_now
from governance.decision.models import DecisionRecord
from governance.decision.service import record_decision
from governance.errors import Problem
from governance.events import conversation_topic
from governance.handover import service as handover
from governance.languages import Notice
from governance.privacy.pii import KINDS
from governance.rasa_client import ActionTrace, BotUnavailable
from governance.ratelimit import Limit
from governance.runtime import Runtime
from governance.safety.rules import SafetyMatch
from governance.switches import killswitch
from knowledge import ANSWER_TOPICS, TOPICS

logger = logging.getLogger(__name__)

# A button names an intent, and may ask one aspect of a topic ('/reisdocument{"aspect":"kosten"}').
PAYLOAD_PATTERN = re.compile(r'^/([a-z_]{2,40})(?:\{"aspect": ?"([a-z_]{2,30})"\})?$')
DECLINE_PAYLOAD = handover.DECLINE_PAYLOAD
GATEWAY_ACTIONS = {handover.ACCEPT_PAYLOAD: "accept", handover.CANCEL_PAYLOAD: "cancel"}
AFFIRMATIONS = frozenset(
    {
        "ja",
        "ja graag",
        "graag",
        "ja hoor",
        "jawel",
        "ja please",
        "ja doe maar",
        "doe maar",
        "ok",
        "oke",
        "okay",
        "oké",
        "prima",
        "goed",
        "ja dat wil ik",
        "ja verbind me door",
        "yes",
        "yes please",
        "sure",
        "yes connect me",
    }
)
NEGATIONS = frozenset(
    {
        "nee",
        "nee dank je",
        "nee dank u",
        "nee bedankt",
        "nee hoor",
        "liever niet",
        "nee liever niet",
        "niet nodig",
        "hoeft niet",
        "no",
        "no thanks",
        "no thank you",
    }
)
# Intents a button may name: every topic, plus declining an offer of a person.
BUTTON_INTENTS = frozenset(TOPICS) | {"decline_human"}


@dataclass
class BotReply:
    text: str
    buttons: list[dict[str, str]]
    explanation: dict[str, Any]


@dataclass
class Turn:
    """The inputs of one citizen turn, after validation."""

    text: str
    rasa_message: str
    safety: SafetyMatch | None
    metadata: dict[str, Any] = field(default_factory=dict)
    # accept / decline / cancel: the citizen's answer to the gateway's handover dialogue
    gateway_action: str | None = None
    # types of personal data the PII screen replaced in `text` (explanation.pii_redacted)
    pii: tuple[str, ...] = ()
    # the kill switch as read when the message was stored
    kill_switch: bool = False
    # the language the citizen wrote in (governance.languages); Dutch for buttons
    language: str = "nl"

    @property
    def is_crisis(self) -> bool:
        return self.safety is not None and self.safety.category == "crisis"


def clean_text(text: str) -> str:
    """Drop control characters and surrounding space; a leading "/" would make Rasa skip NLU, so drop it."""
    visible = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return visible.strip().lstrip("/").strip()


def start_conversation(session: Session, runtime: Runtime, *, locale: str) -> tuple[Conversation, str, Message]:
    token = ids.new_token()
    conversation = Conversation(
        id=ids.new_id("c"),
        sender_id=ids.new_id("s"),
        token_hash=ids.hash_token(token),
        state=ConversationState.BOT.value,
        locale=locale,
    )
    session.add(conversation)
    session.flush()
    switched_off = killswitch.current(session).enabled
    welcome = add_message(
        session,
        conversation,
        role="assistant",
        text=runtime.texts.get("welcome_kill_switch" if switched_off else "welcome", locale),
    )
    session.commit()
    metrics.CONVERSATIONS.inc()
    metrics.DISCLOSURES.inc()
    return conversation, token, welcome


def load_owned(
    session: Session, runtime: Runtime, *, conversation_id: str, authorization: str | None, lock: bool = False
) -> Conversation:
    """The conversation the bearer token proves to own; `lock` also locks its row (see messages.lock_conversation)."""
    conversation = load_locked(session, conversation_id) if lock else get_by_id(session, Conversation, conversation_id)
    if conversation is None:
        raise Problem(404, "conversation_not_found", runtime.texts.get("conversation_not_found"))
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "token_missing", runtime.texts.get("token_missing"))
    if not ids.token_matches(token.strip(), conversation.token_hash):
        raise Problem(403, "token_wrong", runtime.texts.get("token_wrong"))
    return conversation


def count_towards_limit(session: Session, runtime: Runtime, conversation: Conversation) -> None:
    """One more message, call-back or feedback of this conversation per minute. Counted only once the token
    has proved the caller owns it, so a stranger who knows an id cannot use up a citizen's quota."""
    limit = Limit("conversation", runtime.settings.rate_limit_conversation_per_minute)
    wait = runtime.limiter.check(limit, conversation.id)
    if wait is not None:
        session.rollback()
        metrics.RATE_LIMITED.labels(limit.scope).inc()
        raise Problem(429, "rate_limited", runtime.texts.get("rate_limited"), headers={"Retry-After": str(int(wait))})


def parse_turn(runtime: Runtime, body: MessageCreate) -> Turn:
    """Validate the request into a turn; bad input becomes a clear Dutch problem, never a crash."""
    texts = runtime.texts
    if (body.text is None) == (body.payload is None):
        raise Problem(422, "text_or_payload", texts.get("text_or_payload"))
    if body.payload is not None:
        if body.payload.strip() in GATEWAY_ACTIONS:
            return Turn(
                text=body.payload.strip(), rasa_message="", safety=None, gateway_action=GATEWAY_ACTIONS[body.payload.strip()]
            )
        match = PAYLOAD_PATTERN.match(body.payload.strip())
        if not match or match.group(1) not in BUTTON_INTENTS:
            raise Problem(422, "unknown_button", texts.get("unknown_button"))
        aspect = match.group(2)
        if aspect is not None and (aspect not in runtime.knowledge.dialogue.aspects or match.group(1) not in ANSWER_TOPICS):
            raise Problem(422, "unknown_button", texts.get("unknown_button"))
        payload = body.payload.strip()
        return Turn(
            text=payload, rasa_message=payload, safety=None, gateway_action="decline" if payload == DECLINE_PAYLOAD else None
        )
    max_chars = runtime.settings.max_message_chars
    raw = body.text or ""
    # Far over the limit is refused before any work on it; otherwise the limit applies to the cleaned text.
    text = clean_text(raw) if len(raw) <= max_chars * 2 else raw
    if len(text) > max_chars:
        raise Problem(413, "message_too_long", texts.get("message_too_long", max_chars=max_chars))
    if not text:
        raise Problem(422, "empty_message", texts.get("empty_message"))
    # Personal data is replaced before anything is stored, logged or sent to Rasa.
    redaction = runtime.pii.redact(text)
    text = redaction.text
    metrics.observe_redactions(redaction.kinds)
    safety = runtime.safety_rules.match(text)
    if safety:
        # The rule layer decides the intent; Rasa runs the matching action and records it in its tracker.
        return Turn(
            text=text,
            rasa_message=f"/{safety.intent}",
            safety=safety,
            metadata={"safety_rule": safety.as_metadata()},
            pii=redaction.kinds,
        )
    return Turn(text=text, rasa_message=text, safety=None, pii=redaction.kinds)


EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def parse_callback(runtime: Runtime, body: CallbackCreate) -> dict[str, str | None]:
    """Check a call-back request: a reachable phone number or e-mail address, and consent."""
    texts = runtime.texts
    if not body.consent:
        raise Problem(422, "consent_needed", texts.get("callback_consent_needed"))
    phone = clean_text(body.phone or "") or None
    email = clean_text(body.email or "") or None
    if phone is not None:
        digits = re.sub(r"\D", "", phone)
        if not 9 <= len(digits) <= 15 or re.search(r"[^\d\s+()\-.]", phone):
            phone = None
    if email is not None and not EMAIL_PATTERN.match(email):
        email = None
    if phone is None and email is None:
        raise Problem(422, "contact_needed", texts.get("callback_invalid_contact"))
    name = clean_text(body.name)
    question = clean_text(body.question)
    if not name or not question:
        raise Problem(422, "validation_error", "Vul je naam en je vraag in.")
    return {"name": name, "phone": phone, "email": email, "question": question}


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
        replies = await _bot_replies(runtime, conversation, turn)
        known = {"id": conversation.id, "state": conversation.state}
        try:
            messages += await run_in_threadpool(_after_bot, session, runtime, conversation, turn, replies, started)
        except (OperationalError, InterfaceError):
            # The database went away while Rasa answered: the citizen still gets the answer; the decision
            # records wait on disk and are written when the database is back (governance.spool).
            with contextlib.suppress(Exception):
                session.rollback()
            for name, value in known.items():  # a rollback expires them; reading them again needs the database
                set_committed_value(conversation, name, value)
            messages += await run_in_threadpool(_spool_replies, runtime, conversation, turn, replies, started)
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
    conversation = load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization, lock=True)
    count_towards_limit(session, runtime, conversation)
    turn = parse_turn(runtime, body)
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
        answered, cut_off = _repeated_turn(session, runtime, conversation, repeated)
        if not cut_off:
            return conversation, turn, answered, False
        notices: list[Message] = []  # the citizen's words were stored by the attempt that was cut off
    else:
        last = _last_message_to_citizen(session, conversation)
        if turn.gateway_action is None and _offers_a_person(last):
            turn.gateway_action = reply_to_offer(turn.text)
        shown = _button_label(runtime, last, turn.text) if body.payload is not None else turn.text
        add_message(session, conversation, role="citizen", text=shown, client_key=client_key)
        notices = _privacy_notice(session, runtime, conversation, turn)
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


def _repeated_turn(
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
        raise Problem(409, "turn_in_progress", "Je vorige bericht wordt nog beantwoord. Een moment geduld.")
    logger.warning("answering a turn that was cut off", extra={"conversation": conversation.id})
    session.commit()
    return [], True


def _privacy_notice(session: Session, runtime: Runtime, conversation: Conversation, turn: Turn) -> list[Message]:
    """The first time personal data is screened out, say so kindly and why; after that, just help."""
    if not turn.pii or conversation.pii_notice_at is not None:
        return []
    conversation.pii_notice_at = utc_now()
    listed = _listed_kinds(turn.pii, conversation.locale)
    text = runtime.texts.get("pii_notice", conversation.locale, kinds=listed)
    return [add_message(session, conversation, role="system", text=text)]


def _listed_kinds(pii: tuple[str, ...], language: str = "nl") -> str:
    """ "een naam, je BSN en iets over je gezondheid" (or in English: "a name, your BSN and …")"""
    english = language == "en"
    kinds = [(KINDS[kind].phrase_en if english else KINDS[kind].phrase) if kind in KINDS else kind for kind in pii]
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + (" and " if english else " en ") + kinds[-1]


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


async def _bot_replies(runtime: Runtime, conversation: Conversation, turn: Turn) -> tuple[list[BotReply], str]:
    trace_id = ids.new_trace_id()
    try:
        return await _ask_bot(runtime, conversation, turn, trace_id), trace_id
    except BotUnavailable as exc:
        metrics.BOT_UP.set(0)
        logger.warning("bot unavailable", extra={"conversation": conversation.id, "reason": str(exc)})
        if turn.safety is None:
            # Told at once and offered a person (the follow-up escalation), never left with an error.
            return [_bot_unavailable_reply(runtime, turn.language)], trace_id
        return [_safety_reply_without_bot(runtime, turn.safety)], trace_id


def _bot_unavailable_reply(runtime: Runtime, language: str = "nl") -> BotReply:
    return _gateway_reply(
        runtime,
        topic_id="out_of_scope",
        text=runtime.texts.get("bot_unavailable", language),
        action="gateway_bot_unavailable",
        policy="BotUnavailable",
        escalation_reason="bot_unavailable",
        summary=(
            "De digitale assistent werkte even niet, daarom is je vraag niet beantwoord. "
            "Het systeem bood je een medewerker en het telefoonnummer aan."
        ),
    )


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
    stored = _store_replies(session, runtime, conversation, turn, replies, trace_id=trace_id, started=started)
    return stored + _follow_up_escalation(session, runtime, conversation, replies)


def _finish_decision(runtime: Runtime, turn: Turn, reply: BotReply) -> None:
    """What every decision gets before it is stored or spooled: the redacted types, and its metrics."""
    reply.explanation["pii_redacted"] = list(turn.pii)
    reply.explanation["language"] = turn.language
    if turn.pii and reply.explanation.get("summary_nl"):
        # "Waarom dit antwoord?" says what was taken out before the assistant read the question
        listed = _listed_kinds(turn.pii, turn.language)
        reply.explanation["summary_nl"] += " " + runtime.texts.get("pii_explained", turn.language, kinds=listed)
    topic = reply.explanation.get("topic")
    sensitive = topic in runtime.knowledge.topics and runtime.knowledge.topic(topic).sensitive
    metrics.observe_decision(reply.explanation, sensitive=sensitive)


def _spool_replies(
    runtime: Runtime, conversation: Conversation, turn: Turn, answer: tuple[list[BotReply], str], started: float
) -> list[Message]:
    replies, trace_id = answer
    now = utc_now()
    shown, spooled = [], []
    for reply in replies:
        _finish_decision(runtime, turn, reply)
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


def _store_replies(
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
    turn_number = _citizen_turns(session, conversation.id)
    latency_ms = int((time.perf_counter() - started) * 1000)
    stored = []
    for reply in replies:
        _finish_decision(runtime, turn, reply)
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


def _follow_up_escalation(
    session: Session, runtime: Runtime, conversation: Conversation, replies: list[BotReply]
) -> list[Message]:
    """The bot decided a person is needed: a crisis goes to the queue at once, anything else is offered."""
    escalating = next((r for r in replies if r.explanation.get("escalate")), None)
    if escalating is None:
        return []
    context = handover.HandoverContext(
        reason=escalating.explanation.get("escalation_reason") or "citizen_request", topic=escalating.explanation.get("topic")
    )
    try:
        if context.reason == "crisis":
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
        reply = _safety_reply_without_bot(
            runtime,
            turn.safety,
            summary=(
                "Een vaste veiligheidsregel herkende je bericht. De digitale assistent staat uit, "
                "daarom gaf het systeem zelf de hulpnummers en vroeg het een medewerker."
            ),
        )
    else:
        topic = turn.safety.intent if turn.safety else "out_of_scope"
        reply = _gateway_reply(
            runtime,
            topic_id=topic,
            text=runtime.texts.get("kill_switch_reply", conversation.locale),
            action="gateway_kill_switch",
            policy="KillSwitch",
            escalation_reason="kill_switch",
            summary=(
                "De gemeente heeft de digitale assistent tijdelijk uitgezet. Ik heb je vraag daarom niet bekeken. "
                "Een medewerker kan je helpen."
            ),
        )
    stored = _store_replies(session, runtime, conversation, turn, [reply], trace_id=ids.new_trace_id(), started=started)
    return stored + _follow_up_escalation(session, runtime, conversation, [reply])


def _answer_in_another_language(
    session: Session, runtime: Runtime, conversation: Conversation, turn: Turn, notice: Notice, started: float
) -> list[Message]:
    """A language the assistant does not speak: not through the Dutch model, but a fixed, human-written message
    in that language with the phone number, the desk and the crisis numbers (data/languages.yml)."""
    reply = _gateway_reply(
        runtime,
        topic_id="out_of_scope",
        text=notice.text,
        action="gateway_language_notice",
        policy="LanguageRule",
        escalation_reason=None,
        summary=runtime.texts.get("language_notice_explained", language_name=notice.name_nl),
    )
    return _store_replies(session, runtime, conversation, turn, [reply], trace_id=ids.new_trace_id(), started=started)


def _button_label(runtime: Runtime, last: Message | None, payload: str) -> str:
    """Staff and transcripts read the button the citizen pressed ("Ja, verbind me door"), not "/accept_human"."""
    for button in (last.buttons or []) if last else []:
        if button.get("payload") == payload and button.get("title"):
            return str(button["title"])
    match = PAYLOAD_PATTERN.match(payload)
    topic, aspect = (match.group(1), match.group(2)) if match else (payload.lstrip("/"), None)
    if topic in runtime.knowledge.topics:
        title = runtime.knowledge.topic(topic).title
        return f"{title}: {runtime.knowledge.dialogue.aspects[aspect].label}" if aspect else title
    return payload


def _last_message_to_citizen(session: Session, conversation: Conversation) -> Message | None:
    return session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.role != "citizen")
        .order_by(Message.seq.desc())
        .limit(1)
    )


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
    return last is not None and any(b.get("payload") == handover.ACCEPT_PAYLOAD for b in last.buttons or [])


def reply_to_offer(text: str) -> str | None:
    """A typed "ja" or "nee" right after the handover question counts as pressing the button."""
    words = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    if words in AFFIRMATIONS:
        return "accept"
    if words in NEGATIONS:
        return "decline"
    return None


def handover_context(session: Session, conversation: Conversation) -> handover.HandoverContext:
    """Why the citizen is being connected: the bot's latest escalation decision, else their own request."""
    latest = session.scalar(
        select(DecisionRecord)
        .where(DecisionRecord.conversation_id == conversation.id, DecisionRecord.escalate.is_(True))
        .order_by(DecisionRecord.timestamp.desc())
        .limit(1)
    )
    if latest is None or not latest.escalation_reason:
        return handover.HandoverContext(reason="citizen_request")
    return handover.HandoverContext(reason=latest.escalation_reason, topic=latest.topic)


async def _ask_bot(runtime: Runtime, conversation: Conversation, turn: Turn, trace_id: str) -> list[BotReply]:
    metadata = {**turn.metadata, "trace_id": trace_id}
    asked = time.perf_counter()
    items = await runtime.bot.send(sender_id=conversation.sender_id, message=turn.rasa_message, metadata=metadata)
    metrics.RASA_SECONDS.observe(time.perf_counter() - asked)
    metrics.BOT_UP.set(1)
    traces = await runtime.bot.actions_since_last_user_message(conversation.sender_id)
    status = await runtime.bot.model_status(allow_stale=True)
    replies = [_reply_from_item(item) for item in items]
    replies = [r for r in replies if r is not None]
    if not replies:
        raise BotUnavailable("Rasa sent nothing a citizen can read")
    _complete_explanations(replies, traces, model_version=status.model_version)
    return replies


def _reply_from_item(item: dict[str, Any]) -> BotReply | None:
    """Our actions send one `custom` item per message; plain text from Rasa itself is kept, explained as such."""
    custom = item.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("text"), str):
        return BotReply(
            text=custom["text"], buttons=list(custom.get("buttons") or []), explanation=dict(custom.get("explanation") or {})
        )
    if isinstance(item.get("text"), str) and item["text"].strip():
        return BotReply(
            text=item["text"],
            buttons=list(item.get("buttons") or []),
            explanation={
                "topic": "out_of_scope",
                "action": "rasa_default",
                "summary_nl": "Dit is een standaardbericht van het systeem, niet een antwoord uit de kennisbank.",
            },
        )
    return None


def _complete_explanations(replies: list[BotReply], traces: list[ActionTrace], *, model_version: str | None) -> None:
    """Add what only the gateway knows: ids, the policy Rasa used (from its tracker), the model version."""
    by_name: dict[str, ActionTrace] = {}
    for trace in traces:
        by_name.setdefault(trace.name, trace)
    for reply in replies:
        explanation = reply.explanation
        trace = by_name.get(explanation.get("action", ""))
        explanation.setdefault("intent", None)
        explanation.setdefault("confidence", None)
        explanation.setdefault("intent_ranking", [])
        explanation.setdefault("entities", [])
        explanation.setdefault("sources", [])
        explanation.setdefault("escalate", False)
        explanation.setdefault("escalation_reason", None)
        explanation["decision_id"] = ids.new_id("d")
        explanation["policy"] = trace.policy if trace else explanation.get("policy")
        explanation["model_version"] = model_version
        explanation["pii_redacted"] = explanation.get("pii_redacted") or []


def _safety_reply_without_bot(runtime: Runtime, safety: SafetyMatch, summary: str | None = None) -> BotReply:
    """When Rasa is down (or switched off) a message the rule layer caught (a crisis, a request for a person,
    a question whether the citizen talks to a machine) is still answered, from the same curated text."""
    topic = runtime.knowledge.topic(safety.intent)
    answer = topic.default_answer
    reply = _gateway_reply(
        runtime,
        topic_id=topic.id,
        text=answer.text,
        action="gateway_safety_reply",
        policy="SafetyRuleLayer",
        escalation_reason=topic.escalation_reason,
        summary=summary
        or (
            "Een vaste veiligheidsregel herkende je bericht. De digitale assistent werkte even niet, "
            "daarom gaf het systeem zelf dit vaste antwoord."
        ),
        sources=[{"title": s.title, "url": s.url} for s in answer.sources],
    )
    reply.explanation["safety_rule"] = safety.as_metadata()
    return reply


def _gateway_reply(
    runtime: Runtime,
    *,
    topic_id: str,
    text: str,
    action: str,
    policy: str,
    escalation_reason: str | None,
    summary: str,
    sources: list[dict[str, str]] | None = None,
) -> BotReply:
    """A reply the gateway gives itself, explained like any bot decision (confidence 1: a fixed rule)."""
    return BotReply(
        text=text,
        buttons=[],
        explanation={
            "decision_id": ids.new_id("d"),
            "topic": topic_id,
            "intent": topic_id,
            "confidence": 1.0,
            "intent_ranking": [{"name": topic_id, "confidence": 1.0}],
            "entities": [],
            "action": action,
            "policy": policy,
            "sources": sources or [],
            "escalate": escalation_reason is not None,
            "escalation_reason": escalation_reason,
            "pii_redacted": [],
            "model_version": None,
            "summary_nl": summary,
        },
    )


def _citizen_turns(session: Session, conversation_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id, Message.role == "citizen")
        )
        or 0
    )
