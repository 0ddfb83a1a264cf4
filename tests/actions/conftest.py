"""Action tests need no server: a tracker like the one Rasa sends, and a collecting dispatcher."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]


def user_event(
    text: str,
    intent: str,
    confidence: float,
    ranking: list[tuple[str, float]] | None = None,
    metadata: dict[str, Any] | None = None,
    timestamp: float | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    ranking = ranking or [(intent, confidence)]
    return {
        "event": "user",
        "timestamp": timestamp,
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "entities": entities or [],
            "metadata": metadata or {},
        },
        "metadata": {"model_id": "model-123", **(metadata or {})},
    }


def bot_turn(action: str) -> list[dict[str, Any]]:
    return [
        {"event": "action", "name": action, "policy": "RulePolicy", "confidence": 1.0},
        {"event": "bot", "text": None, "data": {}},
        {"event": "action", "name": "action_listen"},
    ]


def tracker_for(
    *turns: dict[str, Any], history: list[dict[str, Any]] | None = None, slots: dict[str, Any] | None = None
) -> Tracker:
    """Build a tracker whose latest message is the last user event given; `slots` is the context so far."""
    events: list[dict[str, Any]] = list(history or [])
    for turn in turns:
        events.append(turn)
    latest = dict(events[-1]["parse_data"])
    latest["metadata"] = events[-1]["parse_data"].get("metadata", {})
    return Tracker("s_test", dict(slots or {}), latest, events, False, None, {}, "action_listen")


def context_slots(topic: str, answer: str | None = None, aspect: str | None = None) -> dict[str, Any]:
    """The slots after the bot answered `answer` ("reisdocument/aanvragen") in `topic`."""
    return {"context_topic": topic, "context_answer": answer, "context_aspect": aspect}


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def sent(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The custom payloads the action sent (text, buttons, explanation)."""
    return [m["custom"] for m in dispatcher.messages]
