"""The topic ids of contract section 4: fixed, shared by NLU intents, knowledge files and explanations."""

from __future__ import annotations

# Topics the assistant answers from a knowledge file without involving a person.
ANSWER_TOPICS: tuple[str, ...] = (
    "reisdocument",
    "rijbewijs",
    "verhuizing",
    "geboorte",
    "huwelijk",
    "overlijden",
    "uittreksel_brp",
    "afspraak",
    "openingstijden",
    "afval",
    "melding_openbare_ruimte",
    "parkeren",
    "belastingen",
    "kwijtschelding",
    "bijstand",
    "wmo",
    "schulden",
    "omgevingsvergunning",
    "evenement",
    "klacht",
    "privacy",
    "bot_vraag",
)
# Topics whose reply always escalates (contract section 4).
ESCALATING_TOPICS: tuple[str, ...] = ("medewerker", "crisis")
SMALL_TALK_TOPICS: tuple[str, ...] = ("greet", "thanks", "goodbye")
TOPICS: tuple[str, ...] = ANSWER_TOPICS + ESCALATING_TOPICS + ("out_of_scope",) + SMALL_TALK_TOPICS
