"""The explanation that travels with every bot message (contract section 2).

The action fills what it knows; the governance service adds decision_id, policy, model_version and
pii_redacted (which it alone knows) before it stores the decision record and answers the citizen.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.conversation import model_id, safety_rule
from knowledge import Answer
from knowledge.contract import EscalationReason, Explanation, reason_value

RANKING_SIZE = 5


def percent(confidence: float) -> str:
    return f"{round(confidence * 100)}%"


def intent_confidence(tracker: Tracker) -> float:
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def understood(tracker: Tracker) -> dict[str, Any]:
    """What NLU made of the latest message: intent, confidence, ranking, entities."""
    message = tracker.latest_message
    intent = message.get("intent") or {}
    ranking = [
        {"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0.0), 4)}
        for r in (message.get("intent_ranking") or [])[:RANKING_SIZE]
    ]
    entities = [{"entity": e.get("entity"), "value": e.get("value")} for e in (message.get("entities") or []) if e.get("entity")]
    return {
        "intent": intent.get("name"),
        "confidence": round(intent_confidence(tracker), 4),
        "intent_ranking": ranking,
        "entities": entities,
    }


def build(
    tracker: Tracker,
    *,
    topic: str,
    action: str,
    summary_nl: str,
    answer: Answer | None = None,
    matched_keywords: tuple[str, ...] = (),
    escalate: bool = False,
    escalation_reason: EscalationReason | None = None,
    cite_sources: bool = True,
    sources: list[dict[str, str]] | None = None,
    dialogue: dict[str, Any] | None = None,
) -> Explanation:
    """`dialogue` holds what the conversation added: context_topic (the topic before this turn),
    topic_from_context, aspect, detail_missing and, for a message with several questions, question."""
    explanation: Explanation = {  # type: ignore[typeddict-item]  (the dialogue's keys are merged in)
        "decision_id": None,
        "topic": topic,
        **understood(tracker),
        "action": action,
        "policy": None,
        "sources": sources
        if sources is not None
        else ([{"title": s.title, "url": s.url} for s in answer.sources] if answer and cite_sources else []),
        "escalate": escalate,
        "escalation_reason": reason_value(escalation_reason),
        "pii_redacted": [],
        "model_version": None,
        "summary_nl": summary_nl,
        # Extensions beyond the contract's minimum, for reviewers.
        "answer_id": answer.ref if answer else None,
        "context_topic": None,
        "topic_from_context": False,
        "aspect": None,
        "detail_missing": False,
        "question": None,
        **(dialogue or {}),
        "matched_keywords": list(matched_keywords),
        "answer_owner": answer.owner if answer else None,
        # "nl" where an English conversation got a sub-answer not yet translated (issue 16)
        "answer_language": answer.language if answer else None,
        "answer_reviewed": answer.last_reviewed.isoformat() if answer else None,
        "model_id": model_id(tracker),
        "safety_rule": safety_rule(tracker),
        "unknown_words": tracker.latest_message.get("unknown_words"),
    }
    return explanation
