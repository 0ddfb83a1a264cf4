"""The figures of the governance dashboard (/governance), computed from the database for people who do not
use Grafana. Days are local days of the municipality; aggregation happens here so it is the same on SQLite
and PostgreSQL."""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance.conversation.models import Conversation
from governance.decision.models import DecisionRecord
from governance.handover.models import Escalation
from governance.review.models import Feedback
from governance.runtime import Runtime

CONFIDENCE_BUCKETS = [round(0.1 * i, 1) for i in range(1, 11)]
MIN_FOR_RANKING = 3
# the calendar day of a moment in the municipality's time zone
DayOf = Callable[[dt.datetime], dt.date]


@dataclass
class Statistics:
    since: dt.datetime
    days: list[dict] = field(default_factory=list)  # date, conversations, handovers, containment, turns
    topics: list[dict] = field(default_factory=list)  # topic, turns, average confidence, fallback and dislike shares
    escalations_by_reason: dict[str, int] = field(default_factory=dict)
    turns_by_language: dict[str, int] = field(default_factory=dict)  # ISO 639-1 code: turns (issue 16)
    handovers_by_reason: dict[str, int] = field(default_factory=dict)
    confidence_histogram: list[dict] = field(default_factory=list)
    feedback: dict[str, int] = field(default_factory=dict)
    worst_topics: list[dict] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=dict)


def compute(session: Session, runtime: Runtime, *, days: int) -> Statistics:
    """The dashboard's figures over the last `days` days, counted per day in the municipality's time zone."""
    zone = runtime.municipality.chat_hours.timezone
    since = runtime.clock() - dt.timedelta(days=days)
    stats = Statistics(since=since)

    def day(moment: dt.datetime) -> dt.date:
        return moment.astimezone(zone).date()

    per_day: dict[dt.date, collections.Counter] = collections.defaultdict(collections.Counter)
    _count_conversations_and_handovers(session, stats, per_day, day, since)
    ratings = dict(session.execute(select(Feedback.decision_id, Feedback.rating).where(Feedback.created_at >= since)).all())
    by_topic, histogram, turns = _count_decisions(session, stats, per_day, day, since, ratings)
    stats.days = _daily_rows(per_day, day(since), days)
    stats.topics = _topic_rows(by_topic)
    stats.confidence_histogram = [
        {"from": round(0.1 * i, 1), "to": CONFIDENCE_BUCKETS[i], "count": histogram.get(i, 0)} for i in range(10)
    ]
    stats.feedback = dict(collections.Counter(ratings.values()))
    rankable = [t for t in stats.topics if t["turns"] >= MIN_FOR_RANKING and t["average_confidence"] is not None]
    stats.worst_topics = sorted(rankable, key=lambda t: (t["average_confidence"], -t["fallback_share"]))[:5]
    conversations = sum(d["conversations"] for d in stats.days)
    handed = sum(d["handovers"] for d in stats.days)
    stats.totals = {
        "conversations": conversations,
        "turns": turns,
        "handovers": handed,
        "containment": round(1 - handed / conversations, 3) if conversations else None,
    }
    return stats


def _count_conversations_and_handovers(
    session: Session, stats: Statistics, per_day: dict[dt.date, collections.Counter], day: DayOf, since: dt.datetime
) -> None:
    for (created,) in session.execute(select(Conversation.created_at).where(Conversation.created_at >= since)):
        per_day[day(created)]["conversations"] += 1
    handovers = session.execute(
        select(Escalation.waiting_since, Escalation.reason).where(Escalation.waiting_since >= since, Escalation.kind == "chat")
    ).all()
    for waiting_since, reason in handovers:
        per_day[day(waiting_since)]["handovers"] += 1
        stats.handovers_by_reason[reason] = stats.handovers_by_reason.get(reason, 0) + 1


def _count_decisions(
    session: Session,
    stats: Statistics,
    per_day: dict[dt.date, collections.Counter],
    day: DayOf,
    since: dt.datetime,
    ratings: dict[str, str],
) -> tuple[dict[str, dict], collections.Counter, int]:
    """Per topic: turns, confidences, fallbacks and ratings; the confidence histogram; the number of turns."""
    records = session.execute(
        select(
            DecisionRecord.decision_id,
            DecisionRecord.timestamp,
            DecisionRecord.topic,
            DecisionRecord.confidence,
            DecisionRecord.action,
            DecisionRecord.escalate,
            DecisionRecord.escalation_reason,
            DecisionRecord.language,
        ).where(DecisionRecord.timestamp >= since)
    ).all()
    by_topic: dict[str, dict] = collections.defaultdict(
        lambda: {"turns": 0, "confidence": [], "fallbacks": 0, "down": 0, "up": 0}
    )
    histogram = collections.Counter()
    for decision_id, timestamp, topic, confidence, action, escalate, reason, language in records:
        per_day[day(timestamp)]["turns"] += 1
        stats.turns_by_language[language] = stats.turns_by_language.get(language, 0) + 1
        entry = by_topic[topic]
        entry["turns"] += 1
        if confidence is not None:
            entry["confidence"].append(confidence)
            histogram[min(9, int(confidence * 10))] += 1
        if action == "action_clarify" or topic == "out_of_scope":
            entry["fallbacks"] += 1
        rating = ratings.get(decision_id)
        if rating:
            entry[rating] += 1
        if escalate and reason:
            stats.escalations_by_reason[reason] = stats.escalations_by_reason.get(reason, 0) + 1
    return by_topic, histogram, len(records)


def _daily_rows(per_day: dict[dt.date, collections.Counter], first_day: dt.date, days: int) -> list[dict]:
    rows = []
    for offset in range(days + 1):
        date = first_day + dt.timedelta(days=offset)
        counts = per_day.get(date, collections.Counter())
        conversations = counts["conversations"]
        containment = 1 - counts["handovers"] / conversations if conversations else None
        rows.append(
            {"date": date.isoformat(), "conversations": conversations, "handovers": counts["handovers"],
             "turns": counts["turns"], "containment": containment}
        )  # fmt: skip
    return rows


def _topic_rows(by_topic: dict[str, dict]) -> list[dict]:
    rows = []
    for topic, entry in sorted(by_topic.items(), key=lambda kv: -kv[1]["turns"]):
        confidences = entry["confidence"]
        rated = entry["up"] + entry["down"]
        rows.append(
            {
                "topic": topic,
                "turns": entry["turns"],
                "average_confidence": round(sum(confidences) / len(confidences), 3) if confidences else None,
                "fallback_share": round(entry["fallbacks"] / entry["turns"], 3),
                "dislike_share": round(entry["down"] / rated, 3) if rated else None,
            }
        )
    return rows
