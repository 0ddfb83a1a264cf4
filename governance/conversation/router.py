"""Citizen API (contract section 2). Thin: validation and ownership here, the work in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, status

from governance.conversation import service
from governance.conversation.models import Message
from governance.conversation.schemas import (
    ConversationCreate,
    ConversationCreated,
    MessageCreate,
    MessageOut,
    MessageReply,
    Transcript,
)
from governance.deps import RuntimeDep, SessionDep
from governance.openapi import problem_responses

router = APIRouter(prefix="/conversations", tags=["Gesprekken"])

AuthorizationHeader = Annotated[str | None, Header(alias="Authorization", description="Bearer <token van het gesprek>")]


def _out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.id,
        role=message.role,  # type: ignore[arg-type]
        text=message.text,
        buttons=message.buttons or [],
        explanation=message.explanation,  # type: ignore[arg-type]
        created_at=message.created_at,
    )


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
    conversation, token = service.start_conversation(session, runtime, locale=(body or ConversationCreate()).locale)
    return ConversationCreated(
        conversation_id=conversation.id,
        token=token,
        state=conversation.state,
        messages=[_out(m) for m in conversation.messages],
    )


@router.post(
    "/{conversation_id}/messages",
    response_model=MessageReply,
    responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
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
) -> MessageReply:
    conversation = service.load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization)
    replies = await service.handle_citizen_message(session, runtime, conversation, body)
    return MessageReply(conversation_id=conversation.id, state=conversation.state, messages=[_out(m) for m in replies])


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
    conversation = service.load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization)
    return Transcript(
        conversation_id=conversation.id,
        state=conversation.state,
        created_at=conversation.created_at,
        messages=[_out(m) for m in conversation.messages],
    )
