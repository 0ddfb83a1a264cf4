"""Citizen API (contract section 2). Thin: validation and ownership here, the work in service.py."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Request, status
from fastapi.responses import Response, StreamingResponse

from governance import turn
from governance.api.deps import RuntimeDep, SessionDep
from governance.api.stream import conversation_snapshot, message_out, state_payload
from governance.conversation import intake, service
from governance.conversation.schemas import (
    CallbackCreate,
    CallbackCreated,
    ConversationCreate,
    ConversationCreated,
    MessageCreate,
    MessageReply,
    Transcript,
)
from governance.conversation.states import ConversationState
from governance.events import QUEUE_TOPIC, conversation_topic
from governance.handover import service as handover
from governance.openapi import problem_responses
from governance.rights import service as rights
from governance.sse import event_stream, last_event_id

router = APIRouter(prefix="/conversations", tags=["Gesprekken"])

AuthorizationHeader = Annotated[str | None, Header(alias="Authorization", description="Bearer <token van het gesprek>")]
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9._~-]+$",
        description="Zelfde sleutel bij een nieuwe poging: het bericht wordt niet dubbel opgeslagen of beantwoord",
    ),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConversationCreated,
    responses=problem_responses(400, 413, 422),
    summary="Start een gesprek",
    description="Start een gesprek. Het eerste bericht zegt dat je met een digitale assistent praat.",
    operation_id="startConversation",
)
def start_conversation(
    session: SessionDep, runtime: RuntimeDep, body: Annotated[ConversationCreate | None, Body()] = None
) -> ConversationCreated:
    conversation, token, welcome = service.start_conversation(session, runtime, locale=(body or ConversationCreate()).locale)
    # built from what was just written: no lazy load, so no transaction is open while the response is sent
    return ConversationCreated(
        conversation_id=conversation.id, token=token, state=conversation.state, messages=[message_out(welcome)]
    )


@router.post(
    "/{conversation_id}/messages",
    response_model=MessageReply,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
    summary="Stuur een bericht",
    description="Stuur een vraag (text) of kies een knop (payload). Het antwoord bevat per bericht een uitleg.",
    operation_id="sendMessage",
)
async def send_message(
    conversation_id: str,
    body: MessageCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: AuthorizationHeader = None,
    idempotency_key: IdempotencyHeader = None,
) -> MessageReply:
    conversation, replies = await turn.handle_citizen_message(
        session, runtime, conversation_id=conversation_id, authorization=authorization, body=body, client_key=idempotency_key
    )
    return MessageReply(conversation_id=conversation.id, state=conversation.state, messages=[message_out(m) for m in replies])


@router.get(
    "/{conversation_id}",
    response_model=Transcript,
    responses=problem_responses(400, 401, 403, 404),
    summary="Lees het gesprek",
    description="Het hele gesprek met de status.",
    operation_id="getConversation",
)
def get_conversation(
    conversation_id: str, session: SessionDep, runtime: RuntimeDep, authorization: AuthorizationHeader = None
) -> Transcript:
    conversation = intake.load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization)
    state = state_payload(session, runtime, conversation)
    transcript = Transcript(
        conversation_id=conversation.id,
        state=conversation.state,
        created_at=conversation.created_at,
        messages=[message_out(m) for m in conversation.messages],
        queue_position=state["queue_position"],
        expected_wait_seconds=state["expected_wait_seconds"],
    )
    session.commit()
    return transcript


@router.get(
    "/{conversation_id}/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events: message en state",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **problem_responses(400, 401, 403, 404, 503),
    },
    summary="Volg het gesprek live",
    description=(
        "Server-sent events met nieuwe berichten (event `message`, id = volgnummer) en de status met plaats in "
        "de rij en verwachte wachttijd (event `state`). Stuur Last-Event-ID mee om verder te gaan na een "
        "onderbreking; zonder Last-Event-ID komen alleen nieuwe berichten."
    ),
    operation_id="streamConversation",
)
def stream_conversation(
    conversation_id: str, request: Request, session: SessionDep, runtime: RuntimeDep, authorization: AuthorizationHeader = None
) -> StreamingResponse:
    conversation = intake.load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization)
    session.commit()
    slot = runtime.streams.acquire(f"conversation:{conversation.id}")
    own_topic = conversation_topic(conversation.id)

    def listen(cursor: tuple[int | None, dict | None]) -> list[str]:
        # the queue only while waiting in it: someone ahead being helped moves this citizen up at once
        waiting = cursor[1] is not None and cursor[1].get("state") == ConversationState.WAITING.value
        return [own_topic, QUEUE_TOPIC] if waiting else [own_topic]

    return event_stream(
        request,
        runtime.events,
        listen,
        conversation_snapshot(runtime, conversation.id),
        (last_event_id(request), None),
        slot=slot,
        poll_seconds=runtime.settings.stream_poll_seconds,
    )


@router.post(
    "/{conversation_id}/callback",
    status_code=status.HTTP_201_CREATED,
    response_model=CallbackCreated,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
    summary="Vraag om teruggebeld te worden",
    description=(
        "Buiten de openingstijden van de chat: laat je naam, telefoonnummer of e-mailadres en je vraag achter, "
        "met toestemming. Een medewerker neemt contact op."
    ),
    operation_id="requestCallback",
)
def request_callback(
    conversation_id: str,
    body: CallbackCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: AuthorizationHeader = None,
) -> CallbackCreated:
    conversation = intake.load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization)
    intake.count_towards_limit(session, runtime, conversation)
    details = intake.parse_callback(runtime, body)
    context = turn.handover_context(session, conversation)
    message = handover.submit_callback(session, runtime, conversation, reason=context.reason, **details)
    return CallbackCreated(conversation_id=conversation.id, state=conversation.state, messages=[message_out(message)])


@router.get(
    "/{conversation_id}/export",
    responses={**rights.EXPORT_CONTENT, **problem_responses(400, 401, 403, 404, 422)},
    summary="Download je gesprek",
    description="Een kopie van je gesprek (AVG artikel 15), als JSON (format=json) of als tekst (format=text).",
    operation_id="exportConversation",
)
def export_conversation(
    conversation_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: AuthorizationHeader = None,
    format: Literal["json", "text"] = "json",
) -> Response:
    conversation = intake.load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization)
    return rights.export_response(conversation, runtime, format)


@router.delete(
    "/{conversation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 401, 403, 404),
    summary="Wis je gesprek",
    description=(
        "Wist het gesprek (AVG artikel 17): de berichten, het geheugen van de assistent en de koppeling met de "
        "beslissingen. De beslissingen blijven zonder tekst en zonder gesprek bewaard voor de statistiek."
    ),
    operation_id="eraseConversation",
)
def erase_conversation(
    conversation_id: str, session: SessionDep, runtime: RuntimeDep, authorization: AuthorizationHeader = None
) -> Response:
    conversation = intake.load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization)
    rights.erase_conversation(session, runtime, conversation)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
