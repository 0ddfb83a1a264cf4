"""Reading and verifying the audit log (contract section 3, reviewer)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select

from governance.api.auth import Reviewer
from governance.api.deps import SessionDep
from governance.audit import service as audit
from governance.audit.models import AuditChainHead, AuditEntry
from governance.openapi import problem_responses

router = APIRouter(prefix="/audit", tags=["Verantwoording"])


class AuditEntryOut(BaseModel):
    seq: int
    timestamp: dt.datetime
    actor_id: str
    actor_name: str
    actor_role: str
    action: str
    object_type: str
    object_id: str | None
    result: str
    origin: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class ChainHead(BaseModel):
    last_seq: int
    last_hash: str


class AuditList(BaseModel):
    items: list[AuditEntryOut]
    count: int
    head: ChainHead


class AuditVerification(BaseModel):
    valid: bool
    entries: int
    first_broken_seq: int | None = Field(None, description="De eerste regel waar de keten niet klopt")
    problem: str | None = None


@router.get(
    "",
    response_model=AuditList,
    responses=problem_responses(400, 401, 403, 422),
    summary="Het auditlog",
    description="Elke handeling van medewerkers, met de hash van de vorige regel (BIO 8.15). Nieuwste eerst.",
    operation_id="listAuditEntries",
)
def list_entries(
    staff: Reviewer,
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=60)] = None,
    since: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> AuditList:
    audit.record(session, staff.actor, "audit.read", object_type="audit_log")
    session.commit()
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if since:
        query = query.where(AuditEntry.timestamp >= since)
    rows = session.scalars(query).all()
    head = session.get(AuditChainHead, 1)
    return AuditList(
        items=[AuditEntryOut.model_validate(r, from_attributes=True) for r in rows],
        count=len(rows),
        head=ChainHead(last_seq=head.last_seq if head else 0, last_hash=head.last_hash if head else ""),
    )


@router.get(
    "/verify",
    response_model=AuditVerification,
    responses=problem_responses(400, 401, 403),
    summary="Controleer de hash-keten",
    description="Berekent alle hashes opnieuw. valid is false als een regel is gewijzigd of verwijderd.",
    operation_id="verifyAuditLog",
)
def verify(staff: Reviewer, session: SessionDep) -> AuditVerification:
    result = audit.verify(session)
    session.rollback()
    audit.record(session, staff.actor, "audit.verify", object_type="audit_log", detail={"valid": result.valid})
    session.commit()
    return AuditVerification(**result.__dict__)
