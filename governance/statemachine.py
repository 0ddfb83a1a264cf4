"""The one way a row changes state: a compare-and-set UPDATE checked against the machine's allowed moves.

"... WHERE id = <id> AND state = <expected>" means two concurrent requests can never both win: the loser sees
0 rows changed and gets a 409. That holds on SQLite and PostgreSQL alike. The conversation, the escalation and
the NLU proposal each declare their states and allowed moves (their own states.py) and move through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from governance.errors import Problem
from governance.problem_texts import problem_detail

State = TypeVar("State", bound=Enum)


class InvalidTransition(Problem):
    """A 409 for the client; the detail is for staff pages (citizens never trigger these directly)."""

    def __init__(self, current: str, requested: str, detail: str | None = None, code: str = "invalid_transition") -> None:
        super().__init__(409, code, detail or problem_detail("invalid_transition", current=current, requested=requested))
        self.current = current
        self.requested = requested


def check_move(
    allowed: Mapping[State, frozenset[State]],
    expected: State,
    requested: State,
    detail: str | None = None,
    code: str = "invalid_transition",
) -> None:
    if requested not in allowed[expected]:
        raise InvalidTransition(expected.value, requested.value, detail, code)


def move(
    session: Session,
    row: Any,
    allowed: Mapping[State, frozenset[State]],
    expected: State,
    requested: State,
    *,
    values: dict[str, Any] | None = None,
    detail: str | None = None,
    code: str = "invalid_transition",
) -> None:
    """Compare-and-set `row`'s state (and the columns that go with the move) inside the caller's transaction."""
    check_move(allowed, expected, requested, detail, code)
    model = type(row)
    changes = {"state": requested.value, **(values or {})}
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.state == expected.value)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise InvalidTransition(expected.value, requested.value, detail, code)
    for key, value in changes.items():
        set_committed_value(row, key, value)


def move_all(
    session: Session,
    model: type,
    allowed: Mapping[State, frozenset[State]],
    requested: State,
    *where: Any,
    values: dict[str, Any] | None = None,
) -> int:
    """Move every matching row that may reach `requested` (from whichever state the machine allows), in one
    UPDATE; rows in a state that may not are left as they are. Returns how many moved."""
    sources = [state.value for state, targets in allowed.items() if requested in targets]
    return session.execute(
        update(model)
        .where(*where, model.state.in_(sources))
        .values(state=requested.value, **(values or {}))
        .execution_options(synchronize_session=False)
    ).rowcount
