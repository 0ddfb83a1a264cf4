"""Reading decision records (contract sections 3 and 5, reviewer)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel
from sqlalchemy import select

from governance.api.auth import Reviewer
from governance.api.deps import SessionDep
from governance.audit import service as audit
from governance.decision.export import decisions_csv
from governance.decision.models import DecisionRecord
from governance.openapi import problem_responses

router = APIRouter(prefix="/decisions", tags=["Verantwoording"])


class DecisionOut(BaseModel):
    decision_id: str
    conversation_id: str | None
    message_id: str | None
    turn: int
    timestamp: dt.datetime
    input_text_redacted: str
    topic: str
    intent: str | None
    confidence: float | None
    intent_ranking: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    action: str
    policy: str | None
    sources: list[dict[str, Any]]
    escalate: bool
    escalation_reason: str | None
    pii_redacted: list[str]
    model_version: str | None
    knowledge_version: str
    latency_ms: int
    trace_id: str
    span_id: str
    summary_nl: str
    context_topic: str | None = None
    topic_from_context: bool = False
    aspect: str | None = None
    answer_id: str | None = None
    detail_missing: bool = False
    language: str = "nl"


class DecisionList(BaseModel):
    items: list[DecisionOut]
    count: int


@router.get(
    "",
    response_model=DecisionList,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "JSON, of CSV met format=csv"},
        **problem_responses(400, 401, 403, 422),
    },
    summary="Beslissingen van de assistent",
    description="Elke beslissing met uitleg, nieuwste eerst. Filters: gesprek, onderwerp, vanaf, escalatie.",
    operation_id="listDecisions",
)
def list_decisions(
    staff: Reviewer,
    session: SessionDep,
    conversation_id: Annotated[str | None, Query(alias="conversationId", max_length=40)] = None,
    topic: Annotated[str | None, Query(max_length=40)] = None,
    since: AwareDatetime | None = None,
    escalate: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 100,
    format: Literal["json", "csv"] = "json",
) -> DecisionList | Response:
    query = select(DecisionRecord).order_by(DecisionRecord.timestamp.desc()).limit(limit)
    if conversation_id:
        query = query.where(DecisionRecord.conversation_id == conversation_id)
    if topic:
        query = query.where(DecisionRecord.topic == topic)
    if since:
        query = query.where(DecisionRecord.timestamp >= since)
    if escalate is not None:
        query = query.where(DecisionRecord.escalate.is_(escalate))
    rows = session.scalars(query).all()
    if format == "csv":
        return decisions_csv(rows, staff.actor, session)
    audit.record(
        session,
        staff.actor,
        "decisions.read",
        object_type="decision_log",
        object_id=conversation_id,
        detail={"count": len(rows)},
    )
    session.commit()
    return DecisionList(items=[DecisionOut.model_validate(r, from_attributes=True) for r in rows], count=len(rows))
