"""Answering from the curated knowledge base: the bot never writes its own answer text."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ExplainedAction
from actions.turn import respond_to_turn


class ActionAnswerFromKnowledgeBase(ExplainedAction):
    """Answer the turn's questions from topic x aspect sub-answers, following the conversation's context."""

    def name(self) -> str:
        return "action_answer_from_knowledge_base"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        return respond_to_turn(dispatcher, tracker, action=self.name())
