"""The curated knowledge base and the municipality's facts.

Pure Python (PyYAML only) so that both the Rasa action server (Python 3.10) and the governance
service (Python 3.11) read the same files in the same way; neither imports the other.
"""

from knowledge.base import Answer, AnswerChoice, KnowledgeBase, Source, Topic, load_knowledge_base
from knowledge.dialogue import Dialogue, Question
from knowledge.municipality import Municipality, load_municipality
from knowledge.topics import ANSWER_TOPICS, ESCALATING_TOPICS, SMALL_TALK_TOPICS, TOPICS

__all__ = [
    "ANSWER_TOPICS",
    "ESCALATING_TOPICS",
    "SMALL_TALK_TOPICS",
    "TOPICS",
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
