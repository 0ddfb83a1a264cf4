"""The retention job: personal data is kept no longer than configured, per kind of data.

Runs in the service on a schedule (GOV_RETENTION_INTERVAL_MINUTES) and as a command
(`python -m governance retention run`). A conversation with the preserve flag, or one a person is still
handling, is kept. Each run is itself recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import Session

from governance.audit import service as audit
from governance.audit.models import AuditChainHead, AuditEntry, AuditRetentionGate
from governance.audit.service import Actor
from governance.conversation.models import Conversation
from governance.decision.models import DecisionRecord
from governance.handover.models import CallbackRequest, Escalation
from governance.rights.service import erase_conversation
from governance.runtime import Runtime

SYSTEM = Actor(id="system", name="bewaartermijnen", role="system", origin="retention-job")
BATCH = 500


@dataclass
class RetentionRun:
    ran_at: str
    conversations: int = 0
    decision_records: int = 0
    callbacks: int = 0
    audit_entries: int = 0
    tracker_events: int | None = 0


def run_retention(runtime: Runtime, now: dt.datetime | None = None) -> RetentionRun:
    settings = runtime.settings
    now = now or runtime.clock()
    result = RetentionRun(ran_at=now.isoformat())
    transcript_cutoff = now - dt.timedelta(days=settings.retention_transcript_days)
    with runtime.session_factory() as session:
        result.conversations, erased_events = _expired_conversations(session, runtime, transcript_cutoff)
        result.decision_records = _expired_decisions(session, now - dt.timedelta(days=settings.retention_decision_days))
        result.callbacks = _expired_callbacks(session, now - dt.timedelta(days=settings.retention_callback_days))
        result.audit_entries = _expired_audit(session, now - dt.timedelta(days=settings.retention_audit_days))
        try:
            result.tracker_events = erased_events + runtime.tracker.delete_older_than(transcript_cutoff)
        except Exception:  # noqa: BLE001 - reported in the run's record; the next run tries again
            result.tracker_events = None
        audit.record(session, SYSTEM, "retention.run", object_type="retention", detail=asdict(result))
        session.commit()
    return result


def _expired_conversations(session: Session, runtime: Runtime, cutoff: dt.datetime) -> tuple[int, int]:
    """Erase conversations past their term; returns how many, and how many tracker events went with them."""
    person_busy = exists().where(Escalation.conversation_id == Conversation.id, Escalation.state.in_(("waiting", "human")))
    total = events = 0
    while True:
        batch = session.scalars(
            select(Conversation)
            .where(Conversation.last_activity_at < cutoff, Conversation.preserve.is_(False), ~person_busy)
            .limit(BATCH)
        ).all()
        for conversation in batch:
            events += erase_conversation(session, runtime, conversation).tracker_events or 0
        total += len(batch)
        if len(batch) < BATCH:
            return total, events


def _expired_decisions(session: Session, cutoff: dt.datetime) -> int:
    preserved = select(Conversation.id).where(Conversation.preserve.is_(True))
    result = session.execute(
        delete(DecisionRecord).where(
            DecisionRecord.timestamp < cutoff,
            or_(DecisionRecord.conversation_id.is_(None), DecisionRecord.conversation_id.not_in(preserved)),
        )
    )
    session.commit()
    return result.rowcount


def _expired_callbacks(session: Session, cutoff: dt.datetime) -> int:
    old = select(Escalation.id).where(Escalation.kind == "callback", Escalation.waiting_since < cutoff)
    result = session.execute(delete(CallbackRequest).where(CallbackRequest.escalation_id.in_(old)))
    session.commit()
    return result.rowcount


def _expired_audit(session: Session, cutoff: dt.datetime) -> int:
    """Remove the oldest entries (a prefix of the chain) and move the verification anchor past them."""
    head = session.execute(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()).scalar_one()
    last_expired = session.scalar(
        select(AuditEntry.seq)
        .where(AuditEntry.timestamp < cutoff, AuditEntry.seq >= head.anchor_seq)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    if last_expired is None:
        session.rollback()
        return 0
    anchor_hash = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == last_expired))
    gate = session.get(AuditRetentionGate, 1)
    gate.open = True
    session.flush()
    removed = session.execute(delete(AuditEntry).where(and_(AuditEntry.seq <= last_expired))).rowcount
    gate.open = False
    head.anchor_seq = last_expired + 1
    head.anchor_prev_hash = anchor_hash
    session.commit()
    return removed
