"""The state machines of a conversation and of an escalation, in one module.

Conversation (contract section 2): bot -> waiting -> human -> bot | closed; a citizen may stop waiting
(waiting -> bot), staff may hand a conversation back to the queue (human -> waiting).
Escalation: waiting -> human -> closed, human -> waiting (transfer). A call-back request is an escalation
of kind "callback" with the same states; its conversation stays with the bot.

Every move is a compare-and-set UPDATE ("... WHERE state = <expected>"), so two concurrent requests can
never both win: the loser sees 0 rows changed and gets a 409. That holds on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from governance.conversation.models import Conversation
from governance.errors import Problem
from governance.handover.models import Escalation


class ConversationState(str, Enum):
    BOT = "bot"
    WAITING = "waiting"
    HUMAN = "human"
    CLOSED = "closed"


class EscalationState(str, Enum):
    WAITING = "waiting"
    HUMAN = "human"
    CLOSED = "closed"


ALLOWED: dict[ConversationState, frozenset[ConversationState]] = {
    ConversationState.BOT: frozenset({ConversationState.WAITING, ConversationState.CLOSED}),
    ConversationState.WAITING: frozenset({ConversationState.HUMAN, ConversationState.BOT, ConversationState.CLOSED}),
    ConversationState.HUMAN: frozenset({ConversationState.BOT, ConversationState.WAITING, ConversationState.CLOSED}),
    ConversationState.CLOSED: frozenset(),
}

ESCALATION_ALLOWED: dict[EscalationState, frozenset[EscalationState]] = {
    EscalationState.WAITING: frozenset({EscalationState.HUMAN, EscalationState.CLOSED}),
    EscalationState.HUMAN: frozenset({EscalationState.WAITING, EscalationState.CLOSED}),
    EscalationState.CLOSED: frozenset(),
}


class InvalidTransition(Problem):
    """A 409 for the client; the detail is for staff pages (citizens never trigger these directly)."""

    def __init__(self, current: str, requested: str, detail: str | None = None) -> None:
        super().__init__(409, "invalid_transition", detail or f"Dit kan niet: de status is '{current}', niet '{requested}'.")
        self.current = current
        self.requested = requested


@dataclass(frozen=True)
class StateChange:
    previous: ConversationState
    current: ConversationState


def transition(current: ConversationState, requested: ConversationState) -> StateChange:
    if requested not in ALLOWED[current]:
        raise InvalidTransition(current.value, requested.value)
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
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.state == expected.value)
        .values(state=requested.value)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise InvalidTransition(expected.value, requested.value, detail)
    set_committed_value(conversation, "state", requested.value)
    return change


def move_escalation(
    session: Session,
    escalation: Escalation,
    expected: EscalationState,
    requested: EscalationState,
    values: dict | None = None,
    detail: str | None = None,
) -> None:
    """Compare-and-set an escalation's state (and the columns that go with the move)."""
    if requested not in ESCALATION_ALLOWED[expected]:
        raise InvalidTransition(expected.value, requested.value, detail)
    result = session.execute(
        update(Escalation)
        .where(Escalation.id == escalation.id, Escalation.state == expected.value)
        .values(state=requested.value, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise InvalidTransition(expected.value, requested.value, detail)
    for key, value in {"state": requested.value, **(values or {})}.items():
        set_committed_value(escalation, key, value)
