"""The conversation's context, kept in Rasa slots, and how a turn's topic is resolved against it.

Why slots and not the gateway: the tracker is where Rasa keeps a conversation's state, it expires with the
session, and `rasa test` and the tracker store see it. The model predicts the topic of a message on its own
words; this module decides, with rules a reviewer can read, when a message is a follow-up of the previous
topic ("wat kost dat"), when it switches ("nee, ik bedoel mijn rijbewijs"), and when the context is stale
(after a goodbye, a handover or a long pause).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.conversation import MISS_INTENTS
from knowledge import ANSWER_TOPICS, SMALL_TALK_TOPICS, Answer, Dialogue, KnowledgeBase, Question

TOPIC_SLOT = "context_topic"
ANSWER_SLOT = "context_answer"
ASPECT_SLOT = "context_aspect"
# The intent of a message that only asks a follow-up ("wat kost dat?", "en op zaterdag?").
FOLLOW_UP_INTENT = "vervolgvraag"
# Below this confidence a topic the message names in so many words beats the model's guess.
SURE = 0.6
# A message this short that asks an aspect, without naming a topic, is a follow-up.
SHORT_FOLLOW_UP_WORDS = 8
# In a message of several questions, a topic a question names counts when the model ranks it this high.
MULTI_QUESTION_RANK = 5


@dataclass(frozen=True)
class Context:
    """What the conversation was about before this turn: the topic, the answer given and its aspect."""

    topic: str | None = None
    answer: Answer | None = None
    aspect: str | None = None

    @property
    def known(self) -> bool:
        return self.topic is not None


@dataclass(frozen=True)
class Resolution:
    """The topic a question is answered from, and how it was found (for the explanation).

    how: "model" (the model's topic), "button", "named" (the message names the topic in so many words),
    "context" (a follow-up of the previous topic), "correction" (the citizen corrected the topic; the aspect
    asked before stays), "same_message" (a second question of one message about the same topic).
    """

    topic: str
    how: str
    question: Question
    aspect_hint: str | None = None

    @property
    def from_context(self) -> bool:
        return self.how == "context"


def _user_timestamps(tracker: Tracker) -> list[float]:
    return [float(e["timestamp"]) for e in tracker.events if e.get("event") == "user" and e.get("timestamp") is not None]


def current_context(tracker: Tracker, knowledge: KnowledgeBase, *, max_pause_minutes: float) -> Context:
    """The context as the slots hold it, unless it has expired.

    Expired: after a long pause between two messages, and on the first bot turn after a person helped the
    citizen (the gateway marks that message); a goodbye and a handover clear the slots themselves.
    """
    topic = tracker.get_slot(TOPIC_SLOT)
    if topic not in knowledge.topics:
        return Context()
    metadata = tracker.latest_message.get("metadata") or {}
    if metadata.get("after_handover"):
        return Context()
    stamps = _user_timestamps(tracker)
    if len(stamps) >= 2 and stamps[-1] - stamps[-2] > max_pause_minutes * 60:
        return Context()
    answer = knowledge.answer(tracker.get_slot(ANSWER_SLOT))
    aspect = tracker.get_slot(ASPECT_SLOT)
    return Context(topic=topic, answer=answer, aspect=aspect if aspect in knowledge.dialogue.aspects else None)


def remember(topic: str, answer: Answer | None, aspect: str | None) -> list[dict[str, Any]]:
    return [SlotSet(TOPIC_SLOT, topic), SlotSet(ANSWER_SLOT, answer.ref if answer else None), SlotSet(ASPECT_SLOT, aspect)]


def forget() -> list[dict[str, Any]]:
    return [SlotSet(TOPIC_SLOT, None), SlotSet(ANSWER_SLOT, None), SlotSet(ASPECT_SLOT, None)]


def _asks_a_follow_up(question: Question, dialogue: Dialogue) -> bool:
    """Words that point back ("dat", "daarvoor"), or a short question about an aspect only."""
    own_aspect = any(dialogue.needs_own_answer(a) for a in question.aspects)
    return dialogue.refers_back(question.text) or (own_aspect and len(question.text.split()) <= SHORT_FOLLOW_UP_WORDS)


def _top_topics(ranking: list[dict[str, Any]], n: int = 3) -> list[str]:
    return [r.get("name") for r in ranking if r.get("name") in ANSWER_TOPICS][:n]


def _context_words(question: Question, context: Context, knowledge: KnowledgeBase) -> bool:
    """Do the words match a sub-answer of the context topic ("moet ik naar de dokter" after the rijbewijs)?"""
    if not context.topic or len(question.text.split()) > SHORT_FOLLOW_UP_WORDS:
        return False
    return bool(knowledge.choose_answer(context.topic, question.text, context_answer=context.answer).matched_keywords)


def resolve_question(
    question: Question,
    *,
    intent: str,
    confidence: float,
    ranking: list[dict[str, Any]],
    context: Context,
    knowledge: KnowledgeBase,
) -> Resolution | None:
    """The topic one question is answered from, or None when it has no answerable topic (small talk, a
    miss without context). The model's topic stands unless the words say otherwise:

    - a follow-up that names no topic stays in the context topic, whatever the model guessed;
    - a message that names the current topic beside another stays with the current one;
    - a message that names a topic the model did not pick, while the model was unsure, takes the named one;
    - "nee, ik bedoel mijn rijbewijs" switches topic and keeps the aspect asked before;
    - "oh en iets anders: …" is never a follow-up.
    """
    dialogue = knowledge.dialogue
    named = question.topics
    has_aspect = bool(question.aspects)
    if context.known and dialogue.switches_topic(question.text):
        context = Context()
    if intent in ANSWER_TOPICS:
        if context.known and intent != context.topic:
            if context.topic in named:
                return Resolution(context.topic, "context", question)
            if not named and (_asks_a_follow_up(question, dialogue) or confidence < SURE):
                return Resolution(context.topic, "context", question)
        topic, how = intent, "model"
        # A named topic overrides an unsure model only where the model itself ranks it high: everyday words
        # ("in de straat", "afval") name a topic in messages about another one ("mag mijn tweede auto ook in
        # de straat staan" is parkeren, not a report about the street).
        ranked_high = _top_topics(ranking)
        plausible = [t for t in named if t in ranked_high]
        if plausible and intent not in named and confidence < SURE:
            topic, how = plausible[0], "named"
        if context.known and topic != context.topic and dialogue.is_correction(question.text):
            own = [a for a in question.aspects if dialogue.needs_own_answer(a)]
            return Resolution(topic, "correction", question, aspect_hint=None if own else context.aspect)
        return Resolution(topic, how, question)
    if intent == FOLLOW_UP_INTENT or intent in MISS_INTENTS or intent in SMALL_TALK_TOPICS:
        if named and (intent == FOLLOW_UP_INTENT or (has_aspect and named[0] in _top_topics(ranking))):
            return Resolution(named[0], "named", question)
        if context.known and not named:
            # The model's "follow-up" is enough; small talk must ask an aspect that has its own answer ("ok, en
            # wat kost dat"); a miss must ask such an aspect as a follow-up, or use words of a sub-answer of the
            # topic. So "wat vind jij van het weer" is never answered from context.
            own_aspect = any(dialogue.needs_own_answer(a) for a in question.aspects)
            if intent in SMALL_TALK_TOPICS:
                follows = own_aspect
            else:
                follows = (
                    intent == FOLLOW_UP_INTENT
                    or (own_aspect and _asks_a_follow_up(question, dialogue))
                    or _context_words(question, context, knowledge)
                )
            if follows:
                return Resolution(context.topic, "context", question)
    return None


def resolve_message(
    questions: list[Question],
    *,
    intent: str,
    confidence: float,
    ranking: list[dict[str, Any]],
    context: Context,
    knowledge: KnowledgeBase,
) -> list[Resolution]:
    """The topic of each question in one message ("ik wil verhuizen en ook een parkeervergunning").

    The model saw the whole message, so its topic is used for the question that names it, or for the first
    one when none names a topic; a later question that names none but asks another aspect stays with the
    topic of the question before it ("wat kost een paspoort en hoe lang duurt het").
    """
    single = {"intent": intent, "confidence": confidence, "ranking": ranking, "context": context, "knowledge": knowledge}
    if len(questions) == 1:
        first = resolve_question(questions[0], **single)
        return [first] if first else []
    resolved: list[Resolution] = []
    # A question names a topic of its own only where the model, which saw the whole message, ranks that topic
    # among its first few; otherwise the words are everyday words of another topic ("ik kan de rekening voor het
    # afval en riool niet betalen" asks one question about kwijtschelding, not about afval and a blocked drain).
    ranked = set(_top_topics(ranking, MULTI_QUESTION_RANK)) | {intent}
    for index, question in enumerate(questions[: knowledge.dialogue.max_questions]):
        own = [t for t in question.topics if t in ranked]
        if own:
            topic = intent if intent in own else own[0]
            resolved.append(Resolution(topic, "model" if topic == intent else "named", question))
        elif index == 0:
            first = resolve_question(question, **single)
            if first:
                resolved.append(first)
        elif resolved and question.aspects:
            resolved.append(Resolution(resolved[-1].topic, "same_message", question))
    return resolved
