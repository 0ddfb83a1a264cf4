"""Writing decision records. There is deliberately no update function: records are append-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from governance.decision.models import DecisionRecord


def record_decision(
    session: Session,
    *,
    decision_id: str,
    conversation_id: str,
    message_id: str,
    turn: int,
    timestamp: dt.datetime,
    input_text_redacted: str,
    explanation: dict[str, Any],
    knowledge_version: str,
    latency_ms: int,
    trace_id: str,
    span_id: str,
) -> DecisionRecord:
    row = DecisionRecord(
        decision_id=decision_id,
        conversation_id=conversation_id,
        message_id=message_id,
        turn=turn,
        timestamp=timestamp,
        input_text_redacted=input_text_redacted,
        topic=explanation["topic"],
        intent=explanation.get("intent"),
        confidence=explanation.get("confidence"),
        intent_ranking=explanation.get("intent_ranking") or [],
        entities=explanation.get("entities") or [],
        action=explanation["action"],
        policy=explanation.get("policy"),
        sources=explanation.get("sources") or [],
        escalate=bool(explanation.get("escalate")),
        escalation_reason=explanation.get("escalation_reason"),
        pii_redacted=explanation.get("pii_redacted") or [],
        model_version=explanation.get("model_version"),
        knowledge_version=knowledge_version,
        latency_ms=latency_ms,
        trace_id=trace_id,
        span_id=span_id,
        summary_nl=explanation.get("summary_nl") or "",
        context_topic=explanation.get("context_topic"),
        topic_from_context=bool(explanation.get("topic_from_context")),
        aspect=explanation.get("aspect"),
        answer_id=explanation.get("answer_id"),
        detail_missing=bool(explanation.get("detail_missing")),
        language=str(explanation.get("language") or "nl")[:8],
    )
    session.add(row)
    return row
