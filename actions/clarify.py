"""When the model is unsure it asks, with the most likely topics as buttons, instead of guessing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import explanation as explain
from actions.base import ExplainedAction
from actions.config import get_knowledge_base, get_settings
from actions.conversation import consecutive_misses
from actions.escalate import offer_human_after_misses
from knowledge import ANSWER_TOPICS, ESCALATING_TOPICS

# Topics worth a button: real subjects and the two that bring in a person; never small talk.
OFFERABLE = frozenset(ANSWER_TOPICS + ESCALATING_TOPICS)


def likely_topics(tracker: Tracker, *, limit: int, min_confidence: float) -> list[tuple[str, float]]:
    """The two most likely real topics always, and more (up to `limit`) only when they are not far-fetched."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    offerable = [(r["name"], float(r.get("confidence") or 0.0)) for r in ranking if r.get("name") in OFFERABLE]
    return [(name, confidence) for i, (name, confidence) in enumerate(offerable[:limit]) if i < 2 or confidence >= min_confidence]


class ActionClarify(ExplainedAction):
    def name(self) -> str:
        return "action_clarify"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        settings = get_settings()
        misses = consecutive_misses(tracker)
        if misses >= settings.misses_before_human:
            offer_human_after_misses(dispatcher, tracker, action=self.name(), misses=misses)
            return []

        knowledge = get_knowledge_base()
        options = likely_topics(tracker, limit=settings.clarify_max_options, min_confidence=settings.clarify_min_confidence)
        buttons = [{"title": knowledge.topic(name).title, "payload": f"/{name}"} for name, _ in options]
        buttons.append({"title": "Iets anders", "payload": "/decline_human"})
        if options:
            best_name, best_confidence = options[0]
            best = f"Mijn beste gok was '{knowledge.topic(best_name).title}' (zekerheid {explain.percent(best_confidence)})."
        else:
            best = "Ik vond geen onderwerp dat goed past."
        self.send(
            dispatcher,
            text="Ik weet niet zeker wat je bedoelt. Gaat je vraag over een van deze onderwerpen?",
            buttons=buttons,
            explanation=explain.build(
                tracker,
                topic="out_of_scope",
                action=self.name(),
                summary_nl=(
                    f"Ik wist niet zeker waar je vraag over ging. {best} "
                    "Dat is te onzeker om te antwoorden, daarom vraag ik het je."
                ),
            ),
        )
        return []
