"""The curated knowledge base and the municipality's facts.

Pure Python (PyYAML only) so that both the Rasa action server (Python 3.10) and the governance
service (Python 3.11) read the same files in the same way; neither imports the other.
"""

from knowledge.base import (
    ANSWERED_LANGUAGES,
    TRANSLATED_LANGUAGES,
    Answer,
    AnswerChoice,
    KnowledgeBase,
    Source,
    Topic,
    load_knowledge_base,
)
from knowledge.dialogue import Dialogue, Question
from knowledge.municipality import Municipality, load_municipality
from knowledge.topics import ANSWER_TOPICS, ESCALATING_TOPICS, SMALL_TALK_TOPICS, TOPICS

__all__ = [
    "ANSWERED_LANGUAGES",
    "ANSWER_TOPICS",
    "ESCALATING_TOPICS",
    "SMALL_TALK_TOPICS",
    "TOPICS",
    "TRANSLATED_LANGUAGES",
    "Answer",
    "AnswerChoice",
    "Dialogue",
    "KnowledgeBase",
    "Municipality",
    "Question",
    "Source",
    "Topic",
    "load_knowledge_base",
    "load_municipality",
]
