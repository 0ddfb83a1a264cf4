"""The improvement loop's API: the citizen's thumbs, and the reviewers' queue, labels and approvals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from governance.api.auth import Reviewer
from governance.api.deps import RuntimeDep, SessionDep
from governance.audit import service as audit
from governance.conversation import intake
from governance.openapi import problem_responses
from governance.review import service
from governance.review.models import NluProposal

router = APIRouter(tags=["Verbeteren"])
REVIEW_ERRORS = (400, 401, 403)


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message_id: str = Field(max_length=40)
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=1000)


class FeedbackOut(BaseModel):
    message_id: str
    rating: str


class ReviewItemOut(BaseModel):
    decision_id: str
    timestamp: dt.datetime
    text: str
    topic: str
    confidence: float | None
    action: str
    reasons: list[str]
    feedback_comment: str | None


class ReviewItemList(BaseModel):
    items: list[ReviewItemOut]
    count: int


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topic: str | None = Field(description="Het juiste onderwerp; null: geen bruikbaar voorbeeld")


class ProposalOut(BaseModel):
    id: str
    decision_id: str
    text: str
    topic: str | None
    state: str
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None


class ProposalList(BaseModel):
    items: list[ProposalOut]
    count: int


class KnowledgeTask(BaseModel):
    topic: str
    answer_id: str
    owner: str
    last_reviewed: dt.date
    review_due: dt.date
    overdue: bool


class KnowledgeTaskList(BaseModel):
    items: list[KnowledgeTask]
    count: int


@router.post(
    "/conversations/{conversation_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackOut,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Was dit antwoord nuttig?",
    description="Duim omhoog of omlaag bij een antwoord, met eventueel een opmerking. Persoonsgegevens worden weggelaten.",
    operation_id="giveFeedback",
)
def give_feedback(
    conversation_id: str,
    body: FeedbackCreate,
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
) -> FeedbackOut:
    conversation = intake.load_owned(session, runtime, conversation_id=conversation_id, authorization=authorization)
    intake.count_towards_limit(session, runtime, conversation)
    comment = intake.clean_text(body.comment)
    feedback = service.give_feedback(session, runtime, conversation.id, body.message_id, body.rating, comment)
    return FeedbackOut(message_id=feedback.message_id, rating=feedback.rating)


@router.get(
    "/review-items",
    response_model=ReviewItemList,
    responses=problem_responses(*REVIEW_ERRORS, 422),
    summary="Reviewwachtrij",
    description="Beurten waarin het model twijfelde, niets begreep, doorvroeg of een duim omlaag kreeg.",
    operation_id="listReviewItems",
)
def review_items(staff: Reviewer, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> ReviewItemList:
    items = service.review_queue(session, limit=limit)
    audit.record(session, staff.actor, "review_items.list", object_type="review_queue", detail={"count": len(items)})
    session.commit()
    return ReviewItemList(items=[ReviewItemOut(**i.__dict__) for i in items], count=len(items))


@router.post(
    "/review-items/{decision_id}/label",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    responses=problem_responses(*REVIEW_ERRORS, 404, 409, 422),
    summary="Label een beurt",
    description="Stelt een nieuw trainingsvoorbeeld voor; een tweede reviewer moet het goedkeuren.",
    operation_id="labelReviewItem",
)
def label(decision_id: str, body: Label, staff: Reviewer, session: SessionDep) -> ProposalOut:
    proposal = service.label(session, staff.actor, decision_id, body.topic)
    return ProposalOut.model_validate(proposal, from_attributes=True)


@router.get(
    "/nlu-proposals",
    response_model=ProposalList,
    responses=problem_responses(*REVIEW_ERRORS, 422),
    summary="Voorgestelde trainingsvoorbeelden",
    description="Voorstellen met hun status: proposed, approved, rejected of dismissed.",
    operation_id="listNluProposals",
)
def proposals(
    staff: Reviewer, session: SessionDep, state: Literal["proposed", "approved", "rejected", "dismissed"] = "proposed"
) -> ProposalList:
    rows = session.scalars(select(NluProposal).where(NluProposal.state == state).order_by(NluProposal.proposed_at)).all()
    audit.record(session, staff.actor, "nlu_proposals.list", object_type="nlu_proposal", detail={"state": state})
    session.commit()
    return ProposalList(items=[ProposalOut.model_validate(r, from_attributes=True) for r in rows], count=len(rows))


@router.post(
    "/nlu-proposals/{proposal_id}/approve",
    response_model=ProposalOut,
    responses=problem_responses(*REVIEW_ERRORS, 404, 409),
    summary="Keur een voorbeeld goed (vier ogen)",
    description="Alleen iemand anders dan de voorsteller. Daarna staat het voorbeeld in data/nlu voor de volgende training.",
    operation_id="approveNluProposal",
)
def approve(proposal_id: str, staff: Reviewer, session: SessionDep, runtime: RuntimeDep) -> ProposalOut:
    proposal = service.decide(session, runtime, staff.actor, proposal_id, approve=True)
    return ProposalOut.model_validate(proposal, from_attributes=True)


@router.post(
    "/nlu-proposals/{proposal_id}/reject",
    response_model=ProposalOut,
    responses=problem_responses(*REVIEW_ERRORS, 404, 409),
    summary="Wijs een voorbeeld af",
    description="Alleen iemand anders dan de voorsteller.",
    operation_id="rejectNluProposal",
)
def reject(proposal_id: str, staff: Reviewer, session: SessionDep, runtime: RuntimeDep) -> ProposalOut:
    proposal = service.decide(session, runtime, staff.actor, proposal_id, approve=False)
    return ProposalOut.model_validate(proposal, from_attributes=True)


@router.get(
    "/knowledge-reviews",
    response_model=KnowledgeTaskList,
    responses=problem_responses(*REVIEW_ERRORS),
    summary="Kennisbankteksten om te controleren",
    description="Teksten waarvan de controledatum voorbij is of binnen 30 dagen komt, met hun eigenaar.",
    operation_id="listKnowledgeReviews",
)
def knowledge_reviews(staff: Reviewer, session: SessionDep, runtime: RuntimeDep) -> KnowledgeTaskList:
    today = runtime.clock().astimezone(runtime.municipality.chat_hours.timezone).date()
    tasks = service.knowledge_reviews(runtime, today)
    audit.record(session, staff.actor, "knowledge_reviews.list", object_type="knowledge_base")
    session.commit()
    return KnowledgeTaskList(items=[KnowledgeTask(**t) for t in tasks], count=len(tasks))
