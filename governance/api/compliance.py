"""The Algoritmeregister export, the DPIA and IAMA drafts, the readiness check (reviewer) and the staff guide
(every account). Built on each request from the live facts, so they never lag behind the system."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, Field

from governance.api.auth import AnyStaff, Reviewer
from governance.api.deps import RuntimeDep, SessionDep
from governance.audit import service as audit
from governance.errors import Problem
from governance.openapi import problem_responses
from governance.problem_texts import problem_detail
from governance.staff import guide as staff_guide
from register import algoritmeregister, assessments, facts, readiness
from register.document import to_html, to_markdown

router = APIRouter(tags=["Verantwoording"])


@router.get(
    "/register/export",
    responses=problem_responses(400, 401, 403),
    summary="Algoritmeregister-export",
    description="De registratie volgens publicatiestandaard 1.0, gevuld uit de configuratie en de actuele cijfers.",
    operation_id="exportRegisterEntry",
)
async def register_export(staff: Reviewer, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    live = await facts.gather(session, runtime)
    audit.record(session, staff.actor, "register.export", object_type="register")
    session.commit()
    return algoritmeregister.export(live)


DOCUMENTS = {"dpia": assessments.dpia, "iama": assessments.iama}


@router.get(
    "/register/{document}",
    responses={
        200: {"content": {"text/markdown": {}, "text/html": {}}, "description": "Het concept"},
        **problem_responses(400, 401, 403, 404, 422),
    },
    response_class=PlainTextResponse,
    summary="Concept-DPIA of -IAMA",
    description="Het concept als Markdown of als HTML om af te drukken; delen voor mensen: 'In te vullen door de gemeente'.",
    operation_id="getAssessmentDraft",
)
async def assessment_draft(
    document: Literal["dpia", "iama"],
    staff: Reviewer,
    session: SessionDep,
    runtime: RuntimeDep,
    format: Annotated[Literal["markdown", "html"], Query(description="markdown of html")] = "markdown",
):
    live = await facts.gather(session, runtime)
    audit.record(session, staff.actor, f"register.{document}", object_type="register")
    session.commit()
    draft = DOCUMENTS[document](live)
    if format == "html":
        return HTMLResponse(to_html(draft))
    return PlainTextResponse(to_markdown(draft), media_type="text/markdown; charset=utf-8")


class CheckOut(BaseModel):
    id: str
    step: int
    step_title: str
    title: str
    requirement: str
    status: Literal["green", "amber", "red"]
    evidence: str
    next_step: str


class ReadinessOut(BaseModel):
    checked_at: dt.datetime
    summary: dict[str, int]
    checks: list[CheckOut]


@router.get(
    "/readiness",
    response_model=ReadinessOut,
    responses=problem_responses(400, 401, 403),
    summary="Gereedheidscheck",
    description="De acht stappen van de handreiking als controles met bewijs: groen, oranje of rood, met wat te doen.",
    operation_id="getReadiness",
)
async def readiness_check(staff: Reviewer, session: SessionDep, runtime: RuntimeDep) -> ReadinessOut:
    live = await facts.gather(session, runtime)
    checks = readiness.run_checks(session, runtime, live)
    audit.record(session, staff.actor, "readiness.read", object_type="readiness")
    session.commit()
    return ReadinessOut(
        checked_at=runtime.clock(), summary=readiness.summary(checks), checks=[CheckOut(**c.as_dict()) for c in checks]
    )


class GuideOut(BaseModel):
    version: str
    text: str = Field(description="Markdown")
    read: bool
    acknowledged_at: dt.datetime | None


class GuideAcknowledgement(BaseModel):
    version: str = Field(min_length=1, max_length=16, description="The version the person read")


def _guide_out(account, guide: staff_guide.Guide) -> GuideOut:
    return GuideOut(
        version=guide.version,
        text=guide.text,
        read=staff_guide.has_read(account, guide),
        acknowledged_at=account.guide_acknowledged_at if staff_guide.has_read(account, guide) else None,
    )


@router.get(
    "/staff/guide",
    response_model=GuideOut,
    responses=problem_responses(400, 401),
    summary="Handleiding voor medewerkers",
    description="De handleiding en of jij deze versie al hebt bevestigd.",
    operation_id="getStaffGuide",
    tags=["Beheer"],
)
def read_guide(staff: AnyStaff, session: SessionDep) -> GuideOut:
    audit.record(session, staff.actor, "staff_guide.read", object_type="staff_guide")
    session.commit()
    return _guide_out(staff.account, staff_guide.load_guide())


@router.post(
    "/staff/guide/acknowledgement",
    response_model=GuideOut,
    responses=problem_responses(400, 401, 409, 422),
    summary="Handleiding gelezen",
    description="Bevestig dat je deze versie van de handleiding hebt gelezen (AI-geletterdheid).",
    operation_id="acknowledgeStaffGuide",
    tags=["Beheer"],
)
def acknowledge_guide(body: GuideAcknowledgement, staff: AnyStaff, session: SessionDep) -> GuideOut:
    guide = staff_guide.load_guide()
    if body.version != guide.version:
        raise Problem(409, "guide_changed", problem_detail("guide_changed"))
    account = staff_guide.acknowledge(session, staff.actor, staff.account, guide)
    return _guide_out(account, guide)
