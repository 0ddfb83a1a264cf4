"""The message path: store the citizen's words, apply the safety rules, ask Rasa, record each decision, answer.

Order matters: the citizen's message is committed before Rasa is asked (so nothing is lost when the bot is
down), and every decision record is committed before the reply is returned (contract section 5).
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance import ids
from governance.conversation.models import Conversation, Message
from governance.conversation.schemas import MessageCreate
from governance.conversation.states import ConversationState, bot_may_answer
from governance.db import utc_now
from governance.decision.service import record_decision
from governance.errors import Problem
from governance.rasa_client import ActionTrace, BotUnavailable
from governance.runtime import Runtime
from governance.safety.rules import SafetyMatch
from knowledge import TOPICS

logger = logging.getLogger(__name__)

PAYLOAD_PATTERN = re.compile(r"^/([a-z_]{2,40})$")
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


def clean_text(text: str) -> str:
    """Drop control characters and surrounding space; a leading "/" would make Rasa skip NLU, so drop it."""
    visible = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return visible.strip().lstrip("/").strip()


def start_conversation(session: Session, runtime: Runtime, *, locale: str) -> tuple[Conversation, str]:
    token = ids.new_token()
    conversation = Conversation(
        id=ids.new_id("c"),
        sender_id=ids.new_id("s"),
        token_hash=ids.hash_token(token),
        state=ConversationState.BOT.value,
        locale=locale,
    )
    session.add(conversation)
    _add_message(session, conversation, role="assistant", text=runtime.texts.get("welcome"))
    session.commit()
    return conversation, token


def load_owned(session: Session, runtime: Runtime, *, conversation_id: str, authorization: str | None) -> Conversation:
    conversation = session.get(Conversation, conversation_id) if len(conversation_id) <= 40 else None
    if conversation is None:
        raise Problem(404, "conversation_not_found", runtime.texts.get("conversation_not_found"))
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "token_missing", runtime.texts.get("token_missing"))
    if not ids.token_matches(token.strip(), conversation.token_hash):
        raise Problem(403, "token_wrong", runtime.texts.get("token_wrong"))
    return conversation


def parse_turn(runtime: Runtime, body: MessageCreate) -> Turn:
    """Validate the request into a turn; bad input becomes a clear Dutch problem, never a crash."""
    texts = runtime.texts
    if (body.text is None) == (body.payload is None):
        raise Problem(422, "text_or_payload", texts.get("text_or_payload"))
    if body.payload is not None:
        match = PAYLOAD_PATTERN.match(body.payload.strip())
        if not match or match.group(1) not in BUTTON_INTENTS:
            raise Problem(422, "unknown_button", texts.get("unknown_button"))
        return Turn(text=body.payload.strip(), rasa_message=body.payload.strip(), safety=None)
    max_chars = runtime.settings.max_message_chars
    raw = body.text or ""
    # Far over the limit is refused before any work on it; otherwise the limit applies to the cleaned text.
    text = clean_text(raw) if len(raw) <= max_chars * 2 else raw
    if len(text) > max_chars:
        raise Problem(413, "message_too_long", texts.get("message_too_long", max_chars=max_chars))
    if not text:
        raise Problem(422, "empty_message", texts.get("empty_message"))
    safety = runtime.safety_rules.match(text)
    if safety:
        # The rule layer decides the intent; Rasa runs the matching action and records it in its tracker.
        return Turn(text=text, rasa_message=f"/{safety.intent}", safety=safety, metadata={"safety_rule": safety.as_metadata()})
    return Turn(text=text, rasa_message=text, safety=None)


async def handle_citizen_message(
    session: Session, runtime: Runtime, conversation: Conversation, body: MessageCreate
) -> list[Message]:
    turn = parse_turn(runtime, body)
    started = time.perf_counter()
    _add_message(session, conversation, role="citizen", text=turn.text)
    conversation.last_activity_at = utc_now()
    session.commit()

    if not bot_may_answer(ConversationState(conversation.state)):
        return []

    trace_id = ids.new_trace_id()
    try:
        replies = await _ask_bot(runtime, conversation, turn, trace_id)
    except BotUnavailable as exc:
        logger.warning("bot unavailable", extra={"conversation": conversation.id, "reason": str(exc)})
        if turn.safety is None:
            raise Problem(503, "bot_unavailable", runtime.texts.get("bot_unavailable")) from exc
        replies = [_safety_reply_without_bot(runtime, turn.safety)]

    turn_number = _citizen_turns(session, conversation.id)
    latency_ms = int((time.perf_counter() - started) * 1000)
    stored = []
    for reply in replies:
        message = _add_message(
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


async def _ask_bot(runtime: Runtime, conversation: Conversation, turn: Turn, trace_id: str) -> list[BotReply]:
    metadata = {**turn.metadata, "trace_id": trace_id}
    items = await runtime.bot.send(sender_id=conversation.sender_id, message=turn.rasa_message, metadata=metadata)
    traces = await runtime.bot.actions_since_last_user_message(conversation.sender_id)
    status = await runtime.bot.model_status()
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


def _safety_reply_without_bot(runtime: Runtime, safety: SafetyMatch) -> BotReply:
    """When Rasa is down a message the rule layer caught (a crisis, a request for a person, a question whether
    the citizen talks to a machine) is still answered, from the same curated text."""
    topic = runtime.knowledge.topic(safety.intent)
    answer = topic.default_answer
    return BotReply(
        text=answer.text,
        buttons=[],
        explanation={
            "decision_id": ids.new_id("d"),
            "topic": topic.id,
            "intent": topic.id,
            "confidence": 1.0,
            "intent_ranking": [{"name": topic.id, "confidence": 1.0}],
            "entities": [],
            "action": "gateway_safety_reply",
            "policy": "SafetyRuleLayer",
            "sources": [{"title": s.title, "url": s.url} for s in answer.sources],
            "escalate": topic.escalation_reason is not None,
            "escalation_reason": topic.escalation_reason,
            "pii_redacted": [],
            "model_version": None,
            "safety_rule": safety.as_metadata(),
            "summary_nl": (
                "Een vaste veiligheidsregel herkende je bericht. De digitale assistent werkte even niet, "
                "daarom gaf het systeem zelf dit vaste antwoord."
            ),
        },
    )


def _citizen_turns(session: Session, conversation_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id, Message.role == "citizen")
        )
        or 0
    )


def _add_message(
    session: Session,
    conversation: Conversation,
    *,
    role: str,
    text: str,
    buttons: list[dict[str, str]] | None = None,
    explanation: dict[str, Any] | None = None,
) -> Message:
    seq = (
        session.scalar(select(func.coalesce(func.max(Message.seq), 0)).where(Message.conversation_id == conversation.id)) or 0
    ) + 1
    message = Message(
        id=ids.new_id("m"),
        conversation_id=conversation.id,
        seq=seq,
        role=role,
        text=text,
        buttons=buttons or [],
        explanation=explanation,
        created_at=utc_now(),
    )
    session.add(message)
    session.flush()
    return message
