"""The state machine of a conversation (contract section 2); the escalation's is in governance.handover.states.

Conversation: bot -> waiting -> human -> bot | closed; a citizen may stop waiting (waiting -> bot), staff may
hand a conversation back to the queue (human -> waiting).

Every move is a compare-and-set UPDATE through governance.statemachine: of two concurrent requests one wins,
the other gets a 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy.orm import Session

from governance import statemachine
from governance.conversation.models import Conversation


class ConversationState(str, Enum):
    BOT = "bot"
    WAITING = "waiting"
    HUMAN = "human"
    CLOSED = "closed"


ALLOWED: dict[ConversationState, frozenset[ConversationState]] = {
    ConversationState.BOT: frozenset({ConversationState.WAITING, ConversationState.CLOSED}),
    ConversationState.WAITING: frozenset({ConversationState.HUMAN, ConversationState.BOT, ConversationState.CLOSED}),
    ConversationState.HUMAN: frozenset({ConversationState.BOT, ConversationState.WAITING, ConversationState.CLOSED}),
    ConversationState.CLOSED: frozenset(),
}


@dataclass(frozen=True)
class StateChange:
    previous: ConversationState
    current: ConversationState


def transition(current: ConversationState, requested: ConversationState) -> StateChange:
    statemachine.check_move(ALLOWED, current, requested)
    return StateChange(current, requested)


def bot_may_answer(state: ConversationState) -> bool:
    """Once a person is involved (or the conversation is closed) the bot stays silent."""
    return state == ConversationState.BOT


def move_conversation(
    session: Session,
    conversation: Conversation,
    expected: ConversationState,
    requested: ConversationState,
    detail: str | None = None,
) -> StateChange:
    """Compare-and-set the conversation's state inside the caller's transaction."""
    change = transition(expected, requested)
    statemachine.move(session, conversation, ALLOWED, expected, requested, detail=detail)
    return change
