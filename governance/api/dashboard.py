"""Figures for the governance dashboard (reviewer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from governance.api.auth import Reviewer
from governance.api.deps import RuntimeDep, SessionDep
from governance.audit import service as audit
from governance.dashboard.statistics import compute
from governance.openapi import problem_responses

router = APIRouter(tags=["Verantwoording"])


class StatisticsOut(BaseModel):
    since: dt.datetime
    days: list[dict[str, Any]]
    topics: list[dict[str, Any]]
    escalations_by_reason: dict[str, int]
    turns_by_language: dict[str, int] = Field(description="Beurten per taal waarin de inwoner schreef (ISO 639-1)")
    handovers_by_reason: dict[str, int]
    confidence_histogram: list[dict[str, Any]]
    feedback: dict[str, int]
    worst_topics: list[dict[str, Any]]
    totals: dict[str, Any]


@router.get(
    "/statistics",
    response_model=StatisticsOut,
    responses=problem_responses(400, 401, 403, 422),
    summary="Cijfers voor het dashboard",
    description="Volume per dag, containment, onderwerpen, escalaties per reden, zekerheid, waardering en zwakste onderwerpen.",
    operation_id="getStatistics",
)
def statistics(
    staff: Reviewer, session: SessionDep, runtime: RuntimeDep, days: Annotated[int, Query(ge=1, le=365)] = 30
) -> StatisticsOut:
    result = compute(session, runtime, days=days)
    audit.record(session, staff.actor, "statistics.read", object_type="dashboard", detail={"days": days})
    session.commit()
    return StatisticsOut(**asdict(result))
