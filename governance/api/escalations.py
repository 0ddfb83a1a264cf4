"""The staff queue (contract section 3): list, watch, view, claim, reply, note, transfer, resolve."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from governance.api.auth import QueueStaff
from governance.api.deps import RuntimeDep, SessionDep
from governance.api.stream import conversation_snapshot, message_out
from governance.audit import service as audit
from governance.conversation.intake import clean_text
from governance.conversation.models import Conversation, Message
from governance.db import utc_now
from governance.errors import Problem
from governance.events import QUEUE_TOPIC, conversation_topic
from governance.handover import service as handover
from governance.handover.models import CallbackRequest, Escalation, StaffNote
from governance.handover.schemas import (
    CallbackDetails,
    EscalationDetail,
    EscalationItem,
    EscalationList,
    NoteOut,
    Resolution,
    StaffMessageOut,
    StaffRef,
    StaffText,
)
from governance.openapi import problem_responses
from governance.problem_texts import problem_detail
from governance.runtime import Runtime
from governance.sse import Event, event_stream, last_event_id
from governance.staff.models import StaffAccount

router = APIRouter(prefix="/escalations", tags=["Medewerkers"])
STAFF_ERRORS = (400, 401, 403)


def _names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(StaffAccount.id, StaffAccount.name).where(StaffAccount.id.in_(ids))).all())


def _item(escalation: Escalation, names: dict[str, str]) -> dict:
    end = escalation.first_claimed_at or escalation.resolved_at or utc_now()
    return {
        "id": escalation.id,
        "conversation_id": escalation.conversation_id,
        "kind": escalation.kind,
        "state": escalation.state,
        "reason": escalation.reason,
        "priority": escalation.priority,
        "topic": escalation.topic,
        "waiting_since": escalation.waiting_since,
        "waiting_seconds": max(0, int((end - escalation.waiting_since).total_seconds())),
        "assignee": {"id": escalation.assignee_id, "name": names.get(escalation.assignee_id, "?")}
        if escalation.assignee_id
        else None,
        "claimed_at": escalation.claimed_at,
        "resolved_at": escalation.resolved_at,
        "outcome": escalation.outcome,
    }


def list_escalations(session: Session, states: list[str], limit: int) -> list[dict]:
    rows = session.scalars(
        select(Escalation)
        .where(Escalation.state.in_(states))
        .order_by(Escalation.priority.desc(), Escalation.waiting_since)
        .limit(limit)
    ).all()
    names = _names(session, {r.assignee_id for r in rows if r.assignee_id})
    return [_item(r, names) for r in rows]


@router.get(
    "",
    response_model=EscalationList,
    responses=problem_responses(*STAFF_ERRORS, 422),
    summary="De wachtrij",
    description="Escalaties, de langst wachtende en crisis eerst. Zonder state: alles wat open is (waiting en human).",
    operation_id="listEscalations",
)
def get_escalations(
    staff: QueueStaff,
    session: SessionDep,
    state: Literal["waiting", "human", "closed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EscalationList:
    items = list_escalations(session, [state] if state else ["waiting", "human"], limit)
    audit.record(session, staff.actor, "escalations.list", object_type="queue", detail={"state": state, "count": len(items)})
    session.commit()
    return EscalationList(items=[EscalationItem(**i) for i in items], count=len(items))


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {"description": "Server-sent events: queue", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
        **problem_responses(*STAFF_ERRORS, 503),
    },
    summary="Volg de wachtrij live",
    description="Een event `queue` met de open escalaties, telkens als er iets verandert.",
    operation_id="streamEscalations",
)
def stream_escalations(staff: QueueStaff, request: Request, session: SessionDep, runtime: RuntimeDep) -> StreamingResponse:
    slot = runtime.streams.acquire(f"queue:{staff.actor.id}")
    audit.record(session, staff.actor, "escalations.stream", object_type="queue")
    session.commit()

    def snapshot(previous: list | None):
        with runtime.session_factory() as session:
            items = list_escalations(session, ["waiting", "human"], 200)
            session.commit()
        # waiting_seconds changes every second; the console counts up itself, so compare without it
        key = [{k: v for k, v in i.items() if k != "waiting_seconds"} for i in items]
        if key == previous:
            return [], previous, False
        data = EscalationList(items=[EscalationItem(**i) for i in items], count=len(items)).model_dump(mode="json")
        return [Event("queue", data)], key, False

    return event_stream(
        request, runtime.events, [QUEUE_TOPIC], snapshot, None, slot=slot, poll_seconds=runtime.settings.stream_poll_seconds
    )


@router.get(
    "/{escalation_id}",
    response_model=EscalationDetail,
    responses=problem_responses(*STAFF_ERRORS, 404),
    summary="Een escalatie met het hele gesprek",
    description="Het gesprek met bij elk antwoord van de assistent de uitleg, en de interne notities. Wordt gelogd.",
    operation_id="getEscalation",
)
def get_escalation(escalation_id: str, staff: QueueStaff, session: SessionDep, runtime: RuntimeDep) -> EscalationDetail:
    escalation = handover.load_escalation(session, escalation_id)
    detail = _detail(session, runtime, escalation, staff.actor.id)
    audit.record(session, staff.actor, "escalation.view", object_type="escalation", object_id=escalation.id)
    if detail.callback is not None:
        audit.record(session, staff.actor, "callback.view", object_type="escalation", object_id=escalation.id)
    session.commit()
    return detail


def _detail(session: Session, runtime: Runtime, escalation: Escalation, viewer_id: str) -> EscalationDetail:
    conversation = session.get(Conversation, escalation.conversation_id) if escalation.conversation_id else None
    messages = (
        session.scalars(select(Message).where(Message.conversation_id == conversation.id).order_by(Message.seq)).all()
        if conversation
        else []
    )
    notes = session.scalars(
        select(StaffNote).where(StaffNote.escalation_id == escalation.id).order_by(StaffNote.created_at)
    ).all()
    names = _names(
        session,
        {m.author_id for m in messages if m.author_id} | {n.author_id for n in notes} | {escalation.assignee_id or ""},
    )
    callback = None
    if escalation.kind == "callback" and escalation.assignee_id == viewer_id and escalation.state == "human":
        row = session.get(CallbackRequest, escalation.id)
        if row is not None:
            unseal = runtime.sealer.open
            callback = CallbackDetails(
                name=unseal(row.name) or runtime.texts.get("unreadable"),
                phone=unseal(row.phone) if row.phone else None,
                email=unseal(row.email) if row.email else None,
                question=unseal(row.question) or runtime.texts.get("unreadable"),
                consent_at=row.consent_at,
            )
    return EscalationDetail(
        **_item(escalation, names),
        conversation_state=conversation.state if conversation else None,
        messages=[
            StaffMessageOut(
                **message_out(m).model_dump(),
                author=StaffRef(id=m.author_id, name=names.get(m.author_id, "?")) if m.author_id else None,
            )
            for m in messages
        ],
        notes=[
            NoteOut(
                id=n.id, author=StaffRef(id=n.author_id, name=names.get(n.author_id, "?")), text=n.text, created_at=n.created_at
            )
            for n in notes
        ],
        callback=callback,
    )


@router.get(
    "/{escalation_id}/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events: message en state",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **problem_responses(*STAFF_ERRORS, 404, 503),
    },
    summary="Volg een gesprek live",
    description="Nieuwe berichten in het gesprek van deze escalatie (zoals de stream van de inwoner).",
    operation_id="streamEscalation",
)
def stream_escalation(
    escalation_id: str, staff: QueueStaff, request: Request, session: SessionDep, runtime: RuntimeDep
) -> StreamingResponse:
    escalation = handover.load_escalation(session, escalation_id)
    if not escalation.conversation_id:
        session.commit()
        raise Problem(404, "no_conversation", problem_detail("no_conversation"))
    slot = runtime.streams.acquire(f"conversation:{escalation.conversation_id}")
    # following a conversation live is reading it: audited like opening it
    audit.record(session, staff.actor, "escalation.stream", object_type="escalation", object_id=escalation.id)
    session.commit()
    return event_stream(
        request,
        runtime.events,
        [conversation_topic(escalation.conversation_id)],
        conversation_snapshot(runtime, escalation.conversation_id),
        (last_event_id(request), None),
        slot=slot,
        poll_seconds=runtime.settings.stream_poll_seconds,
    )


@router.post(
    "/{escalation_id}/claim",
    response_model=EscalationItem,
    responses=problem_responses(*STAFF_ERRORS, 404, 409),
    summary="Neem een gesprek aan",
    description="Maar één medewerker kan een gesprek aannemen; wie te laat is krijgt 409.",
    operation_id="claimEscalation",
)
def claim(escalation_id: str, staff: QueueStaff, session: SessionDep, runtime: RuntimeDep) -> EscalationItem:
    escalation = handover.claim(session, runtime, handover.load_escalation(session, escalation_id), staff.actor)
    return EscalationItem(**_item(escalation, {staff.actor.id: staff.actor.name}))


@router.post(
    "/{escalation_id}/messages",
    response_model=StaffMessageOut,
    status_code=201,
    responses=problem_responses(*STAFF_ERRORS, 404, 409, 413, 422),
    summary="Stuur de inwoner een bericht",
    description="Alleen de medewerker die het gesprek aannam.",
    operation_id="sendStaffMessage",
)
def send(escalation_id: str, body: StaffText, staff: QueueStaff, session: SessionDep, runtime: RuntimeDep) -> StaffMessageOut:
    text = handover_text(runtime, body.text, staff.actor.name)
    message = handover.agent_message(session, runtime, handover.load_escalation(session, escalation_id), staff.actor, text)
    return StaffMessageOut(**message_out(message).model_dump(), author=StaffRef(id=staff.actor.id, name=staff.actor.name))


@router.post(
    "/{escalation_id}/notes",
    response_model=NoteOut,
    status_code=201,
    responses=problem_responses(*STAFF_ERRORS, 404, 413, 422),
    summary="Interne notitie",
    description="Een notitie voor collega's. De inwoner ziet die niet.",
    operation_id="addStaffNote",
)
def note(escalation_id: str, body: StaffText, staff: QueueStaff, session: SessionDep, runtime: RuntimeDep) -> NoteOut:
    created = handover.add_note(
        session,
        runtime,
        handover.load_escalation(session, escalation_id),
        staff.actor,
        handover_text(runtime, body.text, staff.actor.name),
    )
    return NoteOut(
        id=created.id, author=StaffRef(id=staff.actor.id, name=staff.actor.name), text=created.text, created_at=created.created_at
    )


@router.post(
    "/{escalation_id}/transfer",
    response_model=EscalationItem,
    responses=problem_responses(*STAFF_ERRORS, 404, 409),
    summary="Zet terug in de rij",
    description="De inwoner houdt zijn plek in de rij; een collega kan het gesprek aannemen.",
    operation_id="transferEscalation",
)
def transfer(escalation_id: str, staff: QueueStaff, session: SessionDep, runtime: RuntimeDep) -> EscalationItem:
    escalation = handover.transfer(session, runtime, handover.load_escalation(session, escalation_id), staff.actor)
    return EscalationItem(**_item(escalation, {}))


@router.post(
    "/{escalation_id}/resolve",
    response_model=EscalationItem,
    responses=problem_responses(*STAFF_ERRORS, 404, 409, 422),
    summary="Rond af",
    description="Met een uitkomstcode. return_to_bot: true geeft het gesprek terug aan de assistent, false sluit het.",
    operation_id="resolveEscalation",
)
def resolve(escalation_id: str, body: Resolution, staff: QueueStaff, session: SessionDep, runtime: RuntimeDep) -> EscalationItem:
    escalation = handover.resolve(
        session,
        runtime,
        handover.load_escalation(session, escalation_id),
        staff.actor,
        outcome=body.outcome,
        return_to_bot=body.return_to_bot,
    )
    return EscalationItem(**_item(escalation, {staff.actor.id: staff.actor.name}))


def handover_text(runtime: Runtime, text: str, author_name: str) -> str:
    """Staff texts go through the same PII screen: transcripts and notes hold no personal data either. The
    staff member's own name stays ("ik ben Anna"): introducing yourself is how a conversation with a person starts."""
    cleaned = clean_text(text)
    if not cleaned:
        raise Problem(422, "empty_message", problem_detail("empty_staff_message"))
    return runtime.pii.redact(cleaned, keep_names=author_name.split()).text
