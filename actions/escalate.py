"""Actions that bring in a person: a crisis, a request for a person, and declining that offer."""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import explanation as explain
from actions.base import ExplainedAction
from actions.config import get_knowledge_base, get_municipality
from actions.conversation import safety_rule


def how_recognised(tracker: Tracker) -> str:
    rule = safety_rule(tracker)
    if rule:
        return "een vaste veiligheidsregel herkende woorden in je bericht"
    if (tracker.latest_message.get("text") or "").startswith("/"):
        return "je koos dit met een knop"
    confidence = explain.intent_confidence(tracker)
    return f"het taalmodel herkende dit (zekerheid {explain.percent(confidence)})"


def offer_human_after_misses(dispatcher: CollectingDispatcher, tracker: Tracker, *, action: str, misses: int) -> None:
    """After repeated misses the bot stops guessing and says a person is needed (escalation_reason
    repeated_fallback); the gateway then asks the citizen's consent, or offers a call-back after hours."""
    municipality = get_municipality()
    ExplainedAction.send(
        dispatcher,
        text=(
            "Het lukt me niet goed om je vraag te begrijpen. Ik wil niet gokken. Een medewerker kan je beter helpen. "
            f"Je kunt ook bellen met {municipality.phone}: {municipality.phone_hours}."
        ),
        explanation=explain.build(
            tracker,
            topic="out_of_scope",
            action=action,
            escalate=True,
            escalation_reason="repeated_fallback",
            summary_nl=(
                f"Ik begreep {misses} berichten achter elkaar niet goed. Ik wil niet gokken. "
                "Daarom bied ik je een medewerker aan."
            ),
        ),
    )


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
        return []


class ActionHandleCrisis(EscalatingTopicAction):
    """Help numbers at once, whatever the hour, and escalation to a person (contract: reason crisis)."""

    topic = "crisis"

    def name(self) -> str:
        return "action_handle_crisis"

    def summary(self, tracker: Tracker) -> str:
        return (
            f"Je bericht ging mogelijk over een noodsituatie: {how_recognised(tracker)}. "
            "Bij zo'n bericht geef ik altijd direct de hulpnummers en vraag ik een medewerker om mee te kijken."
        )


class ActionOfferHuman(EscalatingTopicAction):
    """The citizen asked for a person: say so plainly and escalate (contract: reason citizen_request)."""

    topic = "medewerker"

    def name(self) -> str:
        return "action_offer_human"

    def summary(self, tracker: Tracker) -> str:
        return f"Je vroeg om een medewerker: {how_recognised(tracker)}. Een mens kan je altijd verder helpen."


class ActionDeclineHuman(ExplainedAction):
    """The citizen chose to go on with the bot after an offer of a person."""

    def name(self) -> str:
        return "action_decline_human"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        self.send(
            dispatcher,
            text=(
                "Prima. Stel je vraag gerust op een andere manier, in een paar woorden. "
                "Bijvoorbeeld: 'paspoort kwijt' of 'grofvuil ophalen'."
            ),
            explanation=explain.build(
                tracker,
                topic="out_of_scope",
                action=self.name(),
                summary_nl="Je koos 'nee' of 'iets anders'. Daarom vraag ik je om je vraag op een andere manier te stellen.",
            ),
        )
        return []
