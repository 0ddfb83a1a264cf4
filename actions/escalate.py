"""Actions that bring in a person: a crisis, a request for a person, and declining that offer."""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import explanation as explain
from actions.base import ExplainedAction
from actions.config import dialogue_text, get_knowledge_base
from actions.context import forget
from actions.conversation import safety_rule
from actions.turn import respond_to_turn


def how_recognised(tracker: Tracker) -> str:
    rule = safety_rule(tracker)
    if rule:
        return dialogue_text("recognised_by_rule")
    if (tracker.latest_message.get("text") or "").startswith("/"):
        return dialogue_text("recognised_by_button")
    return dialogue_text("recognised_by_model", confidence=explain.percent(explain.intent_confidence(tracker)))


# Longest message that can be a short follow-up ("kost dat iets") rather than a crisis the model caught.
FOLLOW_UP_MAX_WORDS = 6


def is_follow_up_taken_for_crisis(tracker: Tracker) -> bool:
    """The model alone (no rule fired) took a short question about an aspect for a crisis ("kost dat iets").

    Crisis words are caught by the gateway's rule layer before Rasa; this only corrects the model's guess on
    a message of a few words that asks a plain aspect (costs, duration) and holds nothing else the model
    could have meant. Anything longer, or caught by a rule, stays a crisis.
    """
    if safety_rule(tracker) is not None:
        return False
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or len(text.split()) > FOLLOW_UP_MAX_WORDS:
        return False
    dialogue = get_knowledge_base().dialogue
    aspects = [a for a in dialogue.detect_aspects(text) if dialogue.needs_own_answer(a)]
    return bool(aspects) and aspects[0] in SAFE_FOLLOW_UP_ASPECTS and dialogue.refers_back(text)


# Aspects that never describe an emergency: a question about them is not a crisis on its own.
SAFE_FOLLOW_UP_ASPECTS = frozenset({"kosten", "duur", "online", "waar_wanneer", "meenemen", "geldigheid", "bezorgen"})


class EscalatingTopicAction(ExplainedAction, abc.ABC):
    """Answer a topic that always brings in a person; its escalation reason comes from its knowledge file,
    the same place the gateway reads it when it must answer without Rasa."""

    topic: str

    @abc.abstractmethod
    def summary(self, tracker: Tracker) -> str: ...

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        topic = get_knowledge_base().topic(self.topic)
        self.send(
            dispatcher,
            text=topic.default_answer.text,
            explanation=explain.build(
                tracker,
                topic=topic.id,
                action=self.name(),
                answer=topic.default_answer,
                escalate=True,
                escalation_reason=topic.escalation_reason,
                summary_nl=self.summary(tracker),
            ),
        )
        # A person takes over: what the bot knew of the conversation no longer holds afterwards.
        return forget()


class ActionHandleCrisis(EscalatingTopicAction):
    """Help numbers at once, whatever the hour, and escalation to a person (contract: reason crisis)."""

    topic = "crisis"

    def name(self) -> str:
        return "action_handle_crisis"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        if is_follow_up_taken_for_crisis(tracker):
            return respond_to_turn(dispatcher, tracker, action=self.name(), as_follow_up=True)
        return await super().respond(dispatcher, tracker, domain)

    def summary(self, tracker: Tracker) -> str:
        return dialogue_text("crisis_summary", how=how_recognised(tracker))


class ActionOfferHuman(EscalatingTopicAction):
    """The citizen asked for a person: say so plainly and escalate (contract: reason citizen_request)."""

    topic = "medewerker"

    def name(self) -> str:
        return "action_offer_human"

    def summary(self, tracker: Tracker) -> str:
        return dialogue_text("person_summary", how=how_recognised(tracker))


class ActionDeclineHuman(ExplainedAction):
    """The citizen chose to go on with the bot after an offer of a person."""

    def name(self) -> str:
        return "action_decline_human"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        self.send(
            dispatcher,
            text=dialogue_text("declined"),
            explanation=explain.build(
                tracker, topic="out_of_scope", action=self.name(), summary_nl=dialogue_text("declined_summary")
            ),
        )
        return []
