"""The contract's words (../shared/CONTRACT.md section 2), typed once for both sides.

The action server (Python 3.10) builds explanations and the governance service (Python 3.11) completes,
stores and shows them; both import these types from here, so a new escalation reason or explanation field is
added in one place. The values are the contract's strings: they travel as JSON and sit in the database as is.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypedDict


class EscalationReason(str, Enum):
    """Why the system decided that a person is needed (`escalation_reason` of an explanation)."""

    CITIZEN_REQUEST = "citizen_request"
    CRISIS = "crisis"
    REPEATED_FALLBACK = "repeated_fallback"
    SENSITIVE_TOPIC = "sensitive_topic"
    LOW_CONFIDENCE = "low_confidence"
    KILL_SWITCH = "kill_switch"
    BOT_UNAVAILABLE = "bot_unavailable"

    @property
    def label_nl(self) -> str:
        """How staff pages name the reason (the staff console shows the same words; a test compares them)."""
        return ESCALATION_REASON_LABELS[self]


ESCALATION_REASON_LABELS: dict[EscalationReason, str] = {
    EscalationReason.CITIZEN_REQUEST: "Vroeg om een medewerker",
    EscalationReason.CRISIS: "Crisis",
    EscalationReason.REPEATED_FALLBACK: "Bot begreep het niet",
    EscalationReason.SENSITIVE_TOPIC: "Persoonlijke situatie",
    EscalationReason.LOW_CONFIDENCE: "Bot twijfelde",
    EscalationReason.KILL_SWITCH: "Noodstop aan",
    EscalationReason.BOT_UNAVAILABLE: "Bot was niet bereikbaar",
}


class PiiKind(str, Enum):
    """A kind of personal data the PII screen replaces (`pii_redacted` of an explanation). Placeholder, Dutch
    label and phrases are the privacy officer's configuration (data/privacy_screen.yml, one entry per kind; the
    screen refuses to load a kind that is not listed here)."""

    BSN = "bsn"
    IBAN = "iban"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    DATE_OF_BIRTH = "date_of_birth"
    LICENCE_PLATE = "licence_plate"
    NAME = "name"
    REFERENCE = "reference"
    HEALTH = "health"
    ETHNICITY = "ethnicity"
    RELIGION = "religion"
    SEXUAL_LIFE = "sexual_life"
    POLITICS = "politics"
    UNION = "union"
    CRIMINAL = "criminal"


class RankedIntent(TypedDict):
    name: str
    confidence: float


class SourceLink(TypedDict):
    title: str
    url: str


class Explanation(TypedDict, total=False):
    """What travels with every bot message and becomes its decision record.

    The first block is the contract's minimum; the action fills what it knows, the gateway adds
    decision_id, policy, model_version, pii_redacted and language. The rest are extensions for reviewers
    and for "Waarom dit antwoord?" (context_topic, aspect and answer_id are the dialogue's, issue 14).
    """

    decision_id: str | None
    topic: str
    intent: str | None
    confidence: float | None
    intent_ranking: list[RankedIntent]
    entities: list[dict[str, Any]]
    action: str
    policy: str | None
    sources: list[SourceLink]
    escalate: bool
    escalation_reason: str | None  # an EscalationReason value
    pii_redacted: list[str]  # PiiKind values
    model_version: str | None
    summary_nl: str
    # extensions
    language: str
    answer_id: str | None
    context_topic: str | None
    topic_from_context: bool
    aspect: str | None
    detail_missing: bool
    question: str | None  # the part of a message with several questions this reply answers
    matched_keywords: list[str]
    answer_owner: str | None
    answer_language: str | None
    answer_reviewed: str | None
    model_id: str | None
    safety_rule: dict[str, Any] | None
    unknown_words: Any


def reason_value(reason: EscalationReason | None) -> str | None:
    """The string an explanation carries (plain str, so JSON, SQL and logs all see the contract's word)."""
    return reason.value if reason is not None else None
