"""Figures for the governance dashboard, and the decision log as CSV (reviewer)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from governance.audit import service as audit
from governance.dashboard.statistics import compute
from governance.deps import RuntimeDep, SessionDep
from governance.openapi import problem_responses
from governance.staff.auth import Reviewer

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


CSV_FIELDS = [
    "decision_id", "conversation_id", "turn", "timestamp", "topic", "intent", "confidence", "action", "policy",
    "escalate", "escalation_reason", "pii_redacted", "model_version", "knowledge_version", "latency_ms", "trace_id",
    "input_text_redacted", "summary_nl", "context_topic", "topic_from_context", "aspect", "answer_id", "detail_missing",
    "language",
]  # fmt: skip


# A cell that starts with one of these is a formula in Excel and LibreOffice ("=HYPERLINK(…)" typed by a
# citizen would run on a reviewer's machine): OWASP's advice is a leading apostrophe, which shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def decisions_csv(rows: list[Any], staff_actor, session) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        values = {name: getattr(row, name) for name in CSV_FIELDS}
        values["timestamp"] = row.timestamp.isoformat()
        values["pii_redacted"] = " ".join(row.pii_redacted or [])
        writer.writerow({name: spreadsheet_safe(value) for name, value in values.items()})
    audit.record(session, staff_actor, "decisions.export", object_type="decision_log", detail={"count": len(rows)})
    session.commit()
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="beslissingen.csv"', "Cache-Control": "no-store"},
    )
