"""The conversation state machine, in one pure module (contract section 2: bot, waiting, human, closed).

The handover issue adds the transitions' side effects; this module only says which moves are legal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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


class InvalidTransition(Exception):
    def __init__(self, current: ConversationState, requested: ConversationState) -> None:
        super().__init__(f"{current.value} -> {requested.value} is not allowed")
        self.current = current
        self.requested = requested


@dataclass(frozen=True)
class StateChange:
    previous: ConversationState
    current: ConversationState


def transition(current: ConversationState, requested: ConversationState) -> StateChange:
    if requested not in ALLOWED[current]:
        raise InvalidTransition(current, requested)
    return StateChange(current, requested)


def bot_may_answer(state: ConversationState) -> bool:
    """Once a person is involved (or the conversation is closed) the bot stays silent."""
    return state == ConversationState.BOT
