"""Queue position and expected wait, from the escalations the contact centre really handled lately.

Expected wait = position x median handling time (claim to resolve) of the last N handled chats, divided
by the number of agents who handled a chat in the last hour (at least one). Without enough history the
configured default handling time is used. It is an estimate and shown as "ongeveer".
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from governance.handover.models import Escalation
from governance.handover.states import EscalationState
from governance.texts import Texts

MIN_HISTORY = 3


@dataclass(frozen=True)
class QueueInfo:
    position: int
    expected_wait_seconds: int


def position_of(session: Session, escalation: Escalation) -> int:
    ahead = session.scalar(
        select(func.count())
        .select_from(Escalation)
        .where(
            Escalation.kind == "chat",
            Escalation.state == EscalationState.WAITING.value,
            Escalation.id != escalation.id,
            or_(
                Escalation.priority > escalation.priority,
                and_(Escalation.priority == escalation.priority, Escalation.waiting_since < escalation.waiting_since),
            ),
        )
    )
    return (ahead or 0) + 1


def median_handling_seconds(session: Session, *, history: int, default_seconds: float) -> float:
    rows = session.execute(
        select(Escalation.first_claimed_at, Escalation.resolved_at)
        .where(Escalation.kind == "chat", Escalation.resolved_at.is_not(None), Escalation.first_claimed_at.is_not(None))
        .order_by(Escalation.resolved_at.desc())
        .limit(history)
    ).all()
    durations = [(resolved - claimed).total_seconds() for claimed, resolved in rows if resolved >= claimed]
    if len(durations) < MIN_HISTORY:
        return default_seconds
    return max(30.0, statistics.median(durations))


def active_agents(session: Session, now: dt.datetime) -> int:
    since = now - dt.timedelta(hours=1)
    count = session.scalar(
        select(func.count(func.distinct(Escalation.assignee_id))).where(
            Escalation.assignee_id.is_not(None),
            or_(Escalation.claimed_at >= since, Escalation.resolved_at >= since, Escalation.state == "human"),
        )
    )
    return max(1, count or 0)


def queue_info(session: Session, escalation: Escalation, *, now: dt.datetime, history: int, default_seconds: float) -> QueueInfo:
    position = position_of(session, escalation)
    handling = median_handling_seconds(session, history=history, default_seconds=default_seconds)
    wait = math.ceil(position * handling / active_agents(session, now))
    return QueueInfo(position=position, expected_wait_seconds=int(wait))


def wait_in_words(seconds: int, texts: Texts, language: str = "nl") -> str:
    """'2 minuten' (data/texts.yml, or its English file), rounded up to whole minutes; long waits are not
    promised precisely."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes == 1:
        return texts.get("wait_one_minute", language)
    if minutes > 60:
        return texts.get("wait_over_an_hour", language)
    return texts.get("wait_minutes", language, minutes=minutes)


def waiting_now(session: Session, now: dt.datetime) -> tuple[dict[str, int], float]:
    """Escalations waiting per kind, and how many seconds the longest-waiting chat has waited (for /metrics)."""
    waiting = Escalation.state == EscalationState.WAITING.value
    counts = session.execute(select(Escalation.kind, func.count()).where(waiting).group_by(Escalation.kind)).all()
    first = session.scalar(select(func.min(Escalation.waiting_since)).where(waiting, Escalation.kind == "chat"))
    oldest = max(0.0, (now - first).total_seconds()) if first else 0.0
    return {str(kind): int(count) for kind, count in counts}, oldest
