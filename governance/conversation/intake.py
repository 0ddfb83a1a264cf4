"""What the citizen sent, checked: the owner's token, the rate limit, text or button, the PII screen and the
safety rules. Bad input becomes a clear Dutch problem here, never a crash further down the turn.

The button payloads of the handover dialogue live here too: they are words of the contract that the citizen's
widget sends, and the handover domain offers them (it imports them from here, never the other way round).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from governance import ids, metrics
from governance.conversation.messages import load_locked
from governance.conversation.models import Conversation, Message
from governance.conversation.schemas import CallbackCreate, MessageCreate
from governance.db import get_by_id
from governance.errors import Problem
from governance.problem_texts import problem_detail
from governance.ratelimit import Limit
from governance.runtime import Runtime
from governance.safety.rules import SafetyMatch
from knowledge import ANSWER_TOPICS, TOPICS

ACCEPT_PAYLOAD = "/accept_human"
DECLINE_PAYLOAD = "/decline_human"
CANCEL_PAYLOAD = "/cancel_waiting"
GATEWAY_ACTIONS = {ACCEPT_PAYLOAD: "accept", CANCEL_PAYLOAD: "cancel"}


# A button names an intent, and may ask one aspect of a topic ('/reisdocument{"aspect":"kosten"}').
PAYLOAD_PATTERN = re.compile(r'^/([a-z_]{2,40})(?:\{"aspect": ?"([a-z_]{2,30})"\})?$')


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
        raise Problem(422, "validation_error", problem_detail("name_and_question_needed"))
    return {"name": name, "phone": phone, "email": email, "question": question}


def reply_to_offer(text: str) -> str | None:
    """A typed "ja" or "nee" right after the handover question counts as pressing the button."""
    words = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    if words in AFFIRMATIONS:
        return "accept"
    if words in NEGATIONS:
        return "decline"
    return None


def button_label(runtime: Runtime, last: Message | None, payload: str) -> str:
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
