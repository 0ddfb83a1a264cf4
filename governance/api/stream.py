"""What a citizen's event stream and transcript show: new messages, the state, and the queue while waiting."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from governance.conversation.models import Conversation, Message
from governance.conversation.schemas import MessageOut
from governance.conversation.states import ConversationState
from governance.handover import service as handover
from governance.runtime import Runtime
from governance.sse import Event


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.id,
        seq=message.seq,
        role=message.role,  # type: ignore[arg-type]
        text=message.text,
        buttons=message.buttons or [],
        explanation=message.explanation,  # type: ignore[arg-type]
        form=message.form,  # type: ignore[arg-type]
        created_at=message.created_at,
    )


def state_payload(session, runtime: Runtime, conversation: Conversation) -> dict[str, Any]:
    payload: dict[str, Any] = {"state": conversation.state, "queue_position": None, "expected_wait_seconds": None}
    if conversation.state == ConversationState.WAITING.value:
        escalation = handover.open_escalation(session, conversation.id)
        if escalation is not None:
            info = handover.current_queue_info(session, runtime, escalation)
            payload.update(queue_position=info.position, expected_wait_seconds=info.expected_wait_seconds)
    return payload


def conversation_snapshot(runtime: Runtime, conversation_id: str):
    """A snapshot function for sse.event_stream; the cursor is (last seq sent, last state payload sent)."""

    def snapshot(cursor: tuple[int | None, dict | None]) -> tuple[list[Event], Any, bool]:
        last_seq, last_state = cursor
        with runtime.session_factory() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:  # erased meanwhile
                return [Event("state", {"state": "closed"})], cursor, True
            if last_seq is None:
                last_seq = (
                    session.scalar(
                        select(Message.seq)
                        .where(Message.conversation_id == conversation_id)
                        .order_by(Message.seq.desc())
                        .limit(1)
                    )
                    or 0
                )
            new = session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.seq > last_seq)
                .order_by(Message.seq)
                .limit(200)
            ).all()
            events = [Event("message", message_out(m).model_dump(mode="json"), id=str(m.seq)) for m in new]
            if new:
                last_seq = new[-1].seq
            state = state_payload(session, runtime, conversation)
            session.commit()
        if state != last_state:
            events.append(Event("state", state, id=str(last_seq)))
        finished = state["state"] == ConversationState.CLOSED.value
        return events, (last_seq, state), finished

    return snapshot
