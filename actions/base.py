"""Shared behaviour of every action: one custom payload per bot message, with text, buttons and explanation."""

from __future__ import annotations

import abc
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import explanation as explain
from actions import language
from actions.config import dialogue_text

logger = logging.getLogger(__name__)


class ExplainedAction(Action, abc.ABC):
    """Every reply is sent as `custom` so text, buttons and explanation arrive together in one REST item."""

    @abc.abstractmethod
    def name(self) -> str: ...

    @staticmethod
    def send(
        dispatcher: CollectingDispatcher,
        *,
        text: str,
        explanation: dict[str, Any],
        buttons: list[dict[str, str]] | None = None,
    ) -> None:
        dispatcher.utter_message(json_message={"text": text, "buttons": buttons or [], "explanation": explanation})

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        token = language.use(language.of_turn(tracker))
        try:
            return await self.respond(dispatcher, tracker, domain)
        except Exception:  # a citizen must always get an answer; the log says why the action failed
            logger.exception("action %s failed", self.name())
            self.send(
                dispatcher,
                text=dialogue_text("action_failed"),
                explanation=explain.build(
                    tracker, topic="out_of_scope", action=self.name(), summary_nl=dialogue_text("action_failed_summary")
                ),
            )
            return []
        finally:
            language.reset(token)

    @abc.abstractmethod
    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        """Send the reply; return Rasa events."""
