"""The state machine of an NLU proposal: proposed -> approved | rejected (by a second person); a turn
dismissed as not worth learning from is stored as dismissed and never moves."""

from __future__ import annotations

from enum import Enum

from sqlalchemy.orm import Session

from governance import statemachine
from governance.review.models import NluProposal


class ProposalState(str, Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISMISSED = "dismissed"


PROPOSAL_ALLOWED: dict[ProposalState, frozenset[ProposalState]] = {
    ProposalState.PROPOSED: frozenset({ProposalState.APPROVED, ProposalState.REJECTED}),
    ProposalState.APPROVED: frozenset(),
    ProposalState.REJECTED: frozenset(),
    ProposalState.DISMISSED: frozenset(),
}


def decide_proposal(session: Session, proposal: NluProposal, requested: ProposalState, values: dict, detail: str) -> None:
    """Compare-and-set: of two reviewers deciding at once, one wins and the other gets the 409 `already_decided`
    (before, both could write, and an approved example could be appended twice)."""
    statemachine.move(
        session, proposal, PROPOSAL_ALLOWED, ProposalState(proposal.state), requested, values=values, detail=detail,
        code="already_decided",
    )  # fmt: skip
