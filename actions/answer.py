"""Answering from the curated knowledge base: the bot never writes its own answer text."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import explanation as explain
from actions.base import ExplainedAction
from actions.config import get_knowledge_base, get_settings
from actions.conversation import about_own_situation, citizen_text, consecutive_misses, safety_rule
from actions.escalate import offer_human_after_misses
from knowledge import SMALL_TALK_TOPICS


def answer_summary(*, topic_title: str, confidence: float, via_button: bool, answer, matched: tuple[str, ...]) -> str:
    """Why this answer, in B1 Dutch, for "Waarom dit antwoord?"."""
    if via_button:
        first = f"Je koos het onderwerp '{topic_title}' met een knop."
    else:
        first = f"Ik denk dat je vraag gaat over '{topic_title}' (zekerheid {explain.percent(confidence)})."
    if matched:
        words = ", ".join(f"'{m}'" for m in matched)
        second = f"Ik koos dit deel van het antwoord omdat je deze woorden gebruikte: {words}."
    else:
        second = "Ik gaf het algemene antwoord over dit onderwerp."
    third = (
        f"De tekst is geschreven door {answer.owner} en gecontroleerd op "
        f"{answer.last_reviewed.strftime('%d-%m-%Y')}. Ik neem geen besluiten over jou."
    )
    return " ".join([first, second, third])


def out_of_scope_summary(tracker: Tracker, confidence: float) -> str:
    unknown = tracker.latest_message.get("unknown_words")
    if isinstance(unknown, dict):
        return (
            "Ik herkende bijna geen woorden uit je bericht. Misschien is het geen Nederlands, of staat er een tikfout in. "
            "Daarom zeg ik waar ik wel mee kan helpen."
        )
    return (
        f"Je vraag leek niet over de gemeente te gaan (zekerheid {explain.percent(confidence)}). "
        "Daarom zeg ik waar ik wel mee kan helpen."
    )


class ActionAnswerFromKnowledgeBase(ExplainedAction):
    """Pick the curated sub-answer for the predicted topic and the citizen's words, with its source."""

    def name(self) -> str:
        return "action_answer_from_knowledge_base"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "out_of_scope"
        knowledge = get_knowledge_base()
        topic_id = intent if intent in knowledge.topics else "out_of_scope"

        if topic_id == "out_of_scope":
            misses = consecutive_misses(tracker)
            if misses >= get_settings().misses_before_human:
                offer_human_after_misses(dispatcher, tracker, action=self.name(), misses=misses)
                return []

        topic = knowledge.topic(topic_id)
        rule = safety_rule(tracker)
        # A rule-routed message reaches Rasa as "/intent": its own words are not in the tracker, and the
        # last typed message belongs to an earlier question, so the topic's main answer is the right one.
        choice = knowledge.choose_answer(topic_id, "" if rule else citizen_text(tracker))
        via_button = not rule and (tracker.latest_message.get("text") or "").startswith("/")
        confidence = explain.intent_confidence(tracker)
        if rule:
            summary = (
                "Een vaste regel herkende dat je vraagt met wie je praat. "
                "Op die vraag geef ik altijd eerlijk antwoord: ik ben een computerprogramma, geen mens."
            )
        elif topic_id in SMALL_TALK_TOPICS:
            summary = (
                f"Je bericht leek op '{topic.title.lower()}' (zekerheid {explain.percent(confidence)}). "
                "Daarom gaf ik een kort antwoord."
            )
        elif topic_id == "out_of_scope":
            summary = out_of_scope_summary(tracker, confidence)
        else:
            summary = answer_summary(
                topic_title=topic.title,
                confidence=confidence,
                via_button=via_button,
                answer=choice.answer,
                matched=choice.matched_keywords,
            )
        # A personal situation around money, care or a complaint: answer, and offer a person (not forced).
        personal = topic.sensitive and not via_button and not rule and about_own_situation(citizen_text(tracker))
        if personal:
            summary += (
                f" Je vraag ging over je eigen situatie rond '{topic.title.lower()}'. "
                "Daarover kan een medewerker je beter helpen dan ik. Daarom bied ik je een medewerker aan."
            )
        self.send(
            dispatcher,
            text=choice.answer.text,
            explanation=explain.build(
                tracker,
                topic=topic_id,
                action=self.name(),
                answer=choice.answer,
                matched_keywords=choice.matched_keywords,
                escalate=personal,
                escalation_reason="sensitive_topic" if personal else None,
                summary_nl=summary,
                # A greeting or a thank-you needs no source link; every real answer cites its page.
                cite_sources=topic_id not in SMALL_TALK_TOPICS,
            ),
        )
        return []
