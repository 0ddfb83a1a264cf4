"""The state machine of an escalation: waiting -> human -> closed, human -> waiting (transfer).

A call-back request is an escalation of kind "callback" with the same states; its conversation stays with
the bot. Every move is a compare-and-set UPDATE through governance.statemachine.
"""

from __future__ import annotations

from enum import Enum

from sqlalchemy.orm import Session

from governance import statemachine
from governance.handover.models import Escalation


class EscalationState(str, Enum):
    WAITING = "waiting"
    HUMAN = "human"
    CLOSED = "closed"


ESCALATION_ALLOWED: dict[EscalationState, frozenset[EscalationState]] = {
    EscalationState.WAITING: frozenset({EscalationState.HUMAN, EscalationState.CLOSED}),
    EscalationState.HUMAN: frozenset({EscalationState.WAITING, EscalationState.CLOSED}),
    EscalationState.CLOSED: frozenset(),
}


def move_escalation(
    session: Session,
    escalation: Escalation,
    expected: EscalationState,
    requested: EscalationState,
    values: dict | None = None,
    detail: str | None = None,
) -> None:
    """Compare-and-set an escalation's state (and the columns that go with the move)."""
    statemachine.move(session, escalation, ESCALATION_ALLOWED, expected, requested, values=values, detail=detail)


def close_escalations_of(session: Session, conversation_id: str, values: dict) -> int:
    """Close every open escalation of a conversation (its erasure): from whichever state may close."""
    return statemachine.move_all(
        session,
        Escalation,
        ESCALATION_ALLOWED,
        EscalationState.CLOSED,
        Escalation.conversation_id == conversation_id,
        values=values,
    )
