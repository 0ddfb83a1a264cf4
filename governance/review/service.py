"""Feedback, the review queue, labelling and four-eyes approval of new NLU examples.

A turn enters the review queue when the model was unsure, did not understand, asked a clarifying question,
lacked the detail asked (the content team sees which sub-answers are missing), or the citizen gave a thumbs
down. A reviewer labels the right topic (a proposal); a *second* reviewer
approves it, and only then is the (already redacted) sentence appended to the approved-examples file in
data/nlu, which `make train` picks up with the rest of the training data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from governance import ids, metrics
from governance.audit import service as audit
from governance.audit.service import Actor
from governance.conversation.models import Message
from governance.db import get_by_id, utc_now
from governance.decision.models import DecisionRecord
from governance.errors import Problem
from governance.problem_texts import problem_detail
from governance.review.models import Feedback, NluProposal
from governance.review.states import ProposalState, decide_proposal
from governance.rights.service import ERASED_TEXT
from governance.runtime import Runtime
from knowledge import TOPICS

LOW_CONFIDENCE = 0.6
# Decisions the gateway took itself say nothing about the model.
GATEWAY_ACTIONS = ("gateway_kill_switch", "gateway_safety_reply")


def give_feedback(
    session: Session, runtime: Runtime, conversation_id: str, message_id: str, rating: str, comment: str
) -> Feedback:
    message = get_by_id(session, Message, message_id)
    if message is None or message.conversation_id != conversation_id or message.explanation is None:
        raise Problem(404, "message_not_found", problem_detail("message_not_found"))
    comment = runtime.pii.redact(comment).text if comment else ""
    feedback = session.get(Feedback, message_id)
    if feedback is None:
        feedback = Feedback(message_id=message_id, decision_id=message.explanation["decision_id"], rating=rating, comment=comment)
        session.add(feedback)
    else:  # the citizen changed their mind: the last rating counts
        feedback.rating, feedback.comment, feedback.created_at = rating, comment, utc_now()
    session.commit()
    metrics.FEEDBACK.labels(rating).inc()
    return feedback


@dataclass(frozen=True)
class ReviewItem:
    decision_id: str
    timestamp: dt.datetime
    text: str
    topic: str
    confidence: float | None
    action: str
    reasons: list[str]
    feedback_comment: str | None


def review_queue(session: Session, *, limit: int) -> list[ReviewItem]:
    negative = select(Feedback.decision_id).where(Feedback.rating == "down")
    handled = select(NluProposal.decision_id)
    rows = session.execute(
        select(DecisionRecord, Feedback)
        .outerjoin(Feedback, Feedback.decision_id == DecisionRecord.decision_id)
        .where(
            DecisionRecord.decision_id.not_in(handled),
            DecisionRecord.action.not_in(GATEWAY_ACTIONS),
            DecisionRecord.input_text_redacted != ERASED_TEXT,
            ~DecisionRecord.input_text_redacted.startswith("/"),
            or_(
                DecisionRecord.confidence < LOW_CONFIDENCE,
                DecisionRecord.topic == "out_of_scope",
                DecisionRecord.action == "action_clarify",
                DecisionRecord.detail_missing.is_(True),
                DecisionRecord.decision_id.in_(negative),
            ),
        )
        .order_by(DecisionRecord.timestamp.desc())
        .limit(limit)
    ).all()
    items = []
    for record, feedback in rows:
        reasons = []
        if record.confidence is not None and record.confidence < LOW_CONFIDENCE:
            reasons.append("low_confidence")
        if record.topic == "out_of_scope":
            reasons.append("not_understood")
        if record.action == "action_clarify":
            reasons.append("clarified")
        if record.detail_missing:
            reasons.append("missing_detail")
        if feedback is not None and feedback.rating == "down":
            reasons.append("negative_feedback")
        items.append(
            ReviewItem(
                decision_id=record.decision_id,
                timestamp=record.timestamp,
                text=record.input_text_redacted,
                topic=record.topic,
                confidence=record.confidence,
                action=record.action,
                reasons=reasons,
                feedback_comment=feedback.comment if feedback is not None and feedback.comment else None,
            )
        )
    return items


def label(session: Session, actor: Actor, decision_id: str, topic: str | None) -> NluProposal:
    """topic None dismisses the turn (not a useful example)."""
    record = get_by_id(session, DecisionRecord, decision_id)
    if record is None or record.input_text_redacted == ERASED_TEXT:
        raise Problem(404, "decision_not_found", problem_detail("decision_not_found"))
    if topic is not None and topic not in TOPICS:
        raise Problem(422, "unknown_topic", problem_detail("unknown_topic"))
    if session.scalar(select(NluProposal).where(NluProposal.decision_id == decision_id)) is not None:
        raise Problem(409, "already_labelled", problem_detail("already_labelled"))
    proposal = NluProposal(
        id=ids.new_id("p"),
        decision_id=decision_id,
        text=record.input_text_redacted,
        topic=topic,
        state=(ProposalState.PROPOSED if topic else ProposalState.DISMISSED).value,
        proposed_by=actor.id,
    )
    session.add(proposal)
    session.flush()
    audit.record(
        session,
        actor,
        "review.label" if topic else "review.dismiss",
        object_type="decision",
        object_id=decision_id,
        detail={"topic": topic, "proposal": proposal.id},
    )
    session.commit()
    return proposal


def decide(session: Session, runtime: Runtime, actor: Actor, proposal_id: str, *, approve: bool) -> NluProposal:
    proposal = get_by_id(session, NluProposal, proposal_id)
    if proposal is None:
        raise Problem(404, "proposal_not_found", problem_detail("proposal_not_found"))
    if proposal.state != ProposalState.PROPOSED.value:
        raise Problem(409, "already_decided", problem_detail("already_decided"))
    if proposal.proposed_by == actor.id:
        raise Problem(409, "four_eyes", problem_detail("four_eyes"))
    requested = ProposalState.APPROVED if approve else ProposalState.REJECTED
    decide_proposal(
        session, proposal, requested, {"decided_by": actor.id, "decided_at": utc_now()}, problem_detail("already_decided")
    )
    audit.record(
        session,
        actor,
        "review.approve" if approve else "review.reject",
        object_type="nlu_proposal",
        object_id=proposal.id,
        detail={"topic": proposal.topic},
    )
    if approve:
        append_example(runtime.settings.approved_nlu_file, proposal.topic or "out_of_scope", proposal.text)
    session.commit()
    return proposal


def append_example(path: Path, intent: str, text: str) -> None:
    """Add one example to the approved-examples training file (Rasa NLU format), without duplicates."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    blocks = {
        b["intent"]: [line[2:] for line in b["examples"].splitlines() if line.startswith("- ")]
        for b in (data or {}).get("nlu", [])
    }
    examples = blocks.setdefault(intent, [])
    if text not in examples:
        examples.append(text)
    lines = [
        "# Examples approved in the review loop (four eyes): written by the governance service, read by make train.",
        'version: "3.1"',
        "nlu:",
    ]
    for name in sorted(blocks):
        lines.append(f"- intent: {name}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in blocks[name])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)


def knowledge_reviews(runtime: Runtime, today: dt.date, *, soon_days: int = 30) -> list[dict]:
    """Knowledge-base texts past (or near) their review date: tasks for their owners."""
    tasks = []
    for answer in runtime.knowledge.all_answers():
        if answer.review_due <= today + dt.timedelta(days=soon_days):
            tasks.append(
                {
                    "topic": answer.topic,
                    "answer_id": answer.id,
                    "owner": answer.owner,
                    "last_reviewed": answer.last_reviewed,
                    "review_due": answer.review_due,
                    "overdue": answer.review_due < today,
                }
            )
    return sorted(tasks, key=lambda t: t["review_due"])
