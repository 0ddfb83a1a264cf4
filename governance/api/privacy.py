"""Privacy work for staff: requests by mail or letter (copy, erasure), holding a conversation under review,
and running the retention job now. All audited. Roles with the `privacy` right: reviewer and admin."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from governance.api.auth import AccountAdmin, PrivacyOfficer
from governance.api.deps import RuntimeDep, SessionDep
from governance.audit import service as audit
from governance.conversation.models import Conversation
from governance.db import get_by_id
from governance.errors import Problem
from governance.openapi import problem_responses
from governance.problem_texts import problem_detail
from governance.rights import service as rights
from governance.rights.retention import run_retention

router = APIRouter(prefix="/admin", tags=["Privacy"])


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(
        min_length=3, max_length=500, description="Bijvoorbeeld het kenmerk van het verzoek; komt in het auditlog"
    )


class PreserveChange(Reason):
    preserve: bool


class ErasureOut(BaseModel):
    conversation_id: str
    messages: int
    decision_records_unlinked: int
    tracker_events: int | None = Field(description="null: de tracker was niet bereikbaar; de bewaartermijn ruimt die op")


class PreserveOut(BaseModel):
    conversation_id: str
    preserve: bool


class RetentionOut(BaseModel):
    ran_at: str
    conversations: int
    decision_records: int
    callbacks: int
    audit_entries: int
    tracker_events: int | None


def _conversation(session, conversation_id: str) -> Conversation:
    conversation = get_by_id(session, Conversation, conversation_id)
    if conversation is None:
        raise Problem(404, "conversation_not_found", problem_detail("conversation_not_found_staff"))
    return conversation


@router.post(
    "/conversations/{conversation_id}/erasure",
    response_model=ErasureOut,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Wis een gesprek op verzoek",
    description="Voor een verzoek dat per post of mail binnenkwam (AVG artikel 17). Wordt met reden gelogd.",
    operation_id="eraseConversationForCitizen",
)
def erase(conversation_id: str, body: Reason, staff: PrivacyOfficer, session: SessionDep, runtime: RuntimeDep) -> ErasureOut:
    conversation = _conversation(session, conversation_id)
    result = rights.erase_conversation(session, runtime, conversation, actor=staff.actor, reason=body.reason.strip())
    return ErasureOut(**asdict(result))


@router.get(
    "/conversations/{conversation_id}/export",
    responses={**rights.EXPORT_CONTENT, **problem_responses(400, 401, 403, 404, 422)},
    summary="Kopie van een gesprek op verzoek",
    description="Voor een inzageverzoek per post of mail (AVG artikel 15). Wordt gelogd.",
    operation_id="exportConversationForCitizen",
)
def export(
    conversation_id: str,
    staff: PrivacyOfficer,
    session: SessionDep,
    runtime: RuntimeDep,
    format: Literal["json", "text"] = "json",
) -> Response:
    conversation = _conversation(session, conversation_id)
    audit.record(session, staff.actor, "conversation.export", object_type="conversation", object_id=conversation.id)
    session.commit()
    return rights.export_response(conversation, runtime, format)


@router.put(
    "/conversations/{conversation_id}/preserve",
    response_model=PreserveOut,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Bewaar een gesprek langer",
    description="Houdt een gesprek buiten de bewaartermijn zolang het onderzocht wordt (klacht, incident).",
    operation_id="preserveConversation",
)
def preserve(conversation_id: str, body: PreserveChange, staff: PrivacyOfficer, session: SessionDep) -> PreserveOut:
    conversation = _conversation(session, conversation_id)
    conversation.preserve = body.preserve
    audit.record(
        session,
        staff.actor,
        "conversation.preserve" if body.preserve else "conversation.release",
        object_type="conversation",
        object_id=conversation.id,
        detail={"reason": body.reason.strip()},
    )
    session.commit()
    return PreserveOut(conversation_id=conversation.id, preserve=conversation.preserve)


@router.post(
    "/retention-runs",
    response_model=RetentionOut,
    status_code=201,
    responses=problem_responses(400, 401, 403),
    summary="Voer de bewaartermijnen nu uit",
    description="Wist nu wat over de bewaartermijn is, zoals de dienst dat elk uur zelf doet.",
    operation_id="runRetention",
)
async def retention_run(staff: AccountAdmin, runtime: RuntimeDep) -> RetentionOut:
    result = await run_in_threadpool(run_retention, runtime)
    return RetentionOut(**asdict(result))
