"""Rasa's reply turned into ours: one reply per message the bot sent, each with its explanation completed with
what only the gateway knows (ids, the policy from the tracker, the model version), and the replies the gateway
gives itself when the bot must not or cannot answer (explained like any bot decision).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from governance import ids, metrics
from governance.conversation.intake import Turn
from governance.conversation.models import Conversation
from governance.privacy.pii import KINDS
from governance.rasa_client import ActionTrace, BotUnavailable
from governance.runtime import Runtime
from governance.safety.rules import SafetyMatch
from governance.texts import Texts
from knowledge.contract import EscalationReason, Explanation, reason_value

logger = logging.getLogger(__name__)


@dataclass
class BotReply:
    text: str
    buttons: list[dict[str, str]]
    explanation: Explanation


async def bot_replies(runtime: Runtime, conversation: Conversation, turn: Turn) -> tuple[list[BotReply], str]:
    trace_id = ids.new_trace_id()
    try:
        return await ask_bot(runtime, conversation, turn, trace_id), trace_id
    except BotUnavailable as exc:
        metrics.BOT_UP.set(0)
        logger.warning("bot unavailable", extra={"conversation": conversation.id, "reason": str(exc)})
        if turn.safety is None:
            # Told at once and offered a person (the follow-up escalation), never left with an error.
            return [bot_unavailable_reply(runtime, turn.language)], trace_id
        return [safety_reply_without_bot(runtime, turn.safety)], trace_id


async def ask_bot(runtime: Runtime, conversation: Conversation, turn: Turn, trace_id: str) -> list[BotReply]:
    metadata = {**turn.metadata, "trace_id": trace_id}
    asked = time.perf_counter()
    items = await runtime.bot.send(sender_id=conversation.sender_id, message=turn.rasa_message, metadata=metadata)
    metrics.RASA_SECONDS.observe(time.perf_counter() - asked)
    metrics.BOT_UP.set(1)
    traces = await runtime.bot.actions_since_last_user_message(conversation.sender_id)
    status = await runtime.bot.model_status(allow_stale=True)
    replies = [reply_from_item(item, runtime.texts) for item in items]
    replies = [r for r in replies if r is not None]
    if not replies:
        raise BotUnavailable("Rasa sent nothing a citizen can read")
    complete_explanations(replies, traces, model_version=status.model_version)
    return replies


def bot_unavailable_reply(runtime: Runtime, language: str = "nl") -> BotReply:
    return gateway_reply(
        runtime,
        topic_id="out_of_scope",
        text=runtime.texts.get("bot_unavailable", language),
        action="gateway_bot_unavailable",
        policy="BotUnavailable",
        escalation_reason=EscalationReason.BOT_UNAVAILABLE,
        summary=runtime.texts.get("explained_bot_unavailable"),
    )


def reply_from_item(item: dict[str, Any], texts: Texts) -> BotReply | None:
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
                "summary_nl": texts.get("explained_rasa_default"),
            },
        )
    return None


def complete_explanations(replies: list[BotReply], traces: list[ActionTrace], *, model_version: str | None) -> None:
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


def safety_reply_without_bot(runtime: Runtime, safety: SafetyMatch, summary: str | None = None) -> BotReply:
    """When Rasa is down (or switched off) a message the rule layer caught (a crisis, a request for a person,
    a question whether the citizen talks to a machine) is still answered, from the same curated text."""
    topic = runtime.knowledge.topic(safety.intent)
    answer = topic.default_answer
    reply = gateway_reply(
        runtime,
        topic_id=topic.id,
        text=answer.text,
        action="gateway_safety_reply",
        policy="SafetyRuleLayer",
        escalation_reason=topic.escalation_reason,
        summary=summary or runtime.texts.get("explained_safety_rule_bot_down"),
        sources=[{"title": s.title, "url": s.url} for s in answer.sources],
    )
    reply.explanation["safety_rule"] = safety.as_metadata()
    return reply


def gateway_reply(
    runtime: Runtime,
    *,
    topic_id: str,
    text: str,
    action: str,
    policy: str,
    escalation_reason: EscalationReason | None,
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
            "escalation_reason": reason_value(escalation_reason),
            "pii_redacted": [],
            "model_version": None,
            "summary_nl": summary,
        },
    )


def finish_decision(runtime: Runtime, turn: Turn, reply: BotReply) -> None:
    """What every decision gets before it is stored or spooled: the redacted types, and its metrics."""
    reply.explanation["pii_redacted"] = list(turn.pii)
    reply.explanation["language"] = turn.language
    if turn.pii and reply.explanation.get("summary_nl"):
        # "Waarom dit antwoord?" says what was taken out before the assistant read the question
        listed = listed_kinds(turn.pii, turn.language)
        reply.explanation["summary_nl"] += " " + runtime.texts.get("pii_explained", turn.language, kinds=listed)
    topic = reply.explanation.get("topic")
    sensitive = topic in runtime.knowledge.topics and runtime.knowledge.topic(topic).sensitive
    metrics.observe_decision(reply.explanation, sensitive=sensitive)


def listed_kinds(pii: tuple[str, ...], language: str = "nl") -> str:
    """ "een naam, je BSN en iets over je gezondheid" (or in English: "a name, your BSN and …")"""
    english = language == "en"
    kinds = [(KINDS[kind].phrase_en if english else KINDS[kind].phrase) if kind in KINDS else kind for kind in pii]
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + (" and " if english else " en ") + kinds[-1]
