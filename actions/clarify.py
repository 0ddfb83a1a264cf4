"""When the model is unsure it asks instead of guessing, unless the conversation makes the question clear.

"wat kost dat?" right after a passport answer is not an unclear question: the context answers it. Without
such context the bot asks, with the most likely topics (or the current topic's sub-answers) as buttons.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ExplainedAction
from actions.turn import respond_to_turn


class ActionClarify(ExplainedAction):
    def name(self) -> str:
        return "action_clarify"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        return respond_to_turn(dispatcher, tracker, action=self.name())
