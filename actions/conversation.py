"""What an action needs to know about the conversation so far, read from the tracker (no Rasa state kept)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

# Intents that mean the bot did not help with this message.
MISS_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
# Words that make a question about the citizen's own situation ("ik heb schulden", "mijn moeder heeft hulp
# nodig") rather than a general one ("wat is de Wmo").
FIRST_PERSON = frozenset({"ik", "k", "mijn", "m'n", "mn", "me", "mij", "wij", "we", "ons", "onze", "mezelf"})


def citizen_text(tracker: Tracker) -> str:
    """The citizen's own words for this turn.

    A button sends "/intent"; the words that matter are then those of the last typed message,
    e.g. the question that led to the clarifying buttons.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = event.get("text") or ""
            if not text.startswith("/"):
                return text
    return ""


def about_own_situation(text: str) -> bool:
    words = {w.strip(".,!?;:()\"'") for w in text.lower().split()}
    return bool(words & FIRST_PERSON)


def _reply_topic(events: list[dict[str, Any]], start: int) -> str | None:
    """The topic of the first bot reply after the user event at `start`, as its explanation recorded it."""
    for event in events[start + 1 :]:
        if event.get("event") == "user":
            return None
        if event.get("event") == "bot":
            explanation = ((event.get("data") or {}).get("custom") or {}).get("explanation") or {}
            topic = explanation.get("topic")
            if topic:
                return str(topic)
    return None


def consecutive_misses(tracker: Tracker) -> int:
    """How many of the latest user turns in a row the bot could not help with (this turn included).

    An earlier turn was a miss when the bot's reply to it was "not understood" (topic out_of_scope); a
    follow-up that the model did not recognise but the context answered is not a miss. Where the reply
    carried no explanation, the turn's intent decides.
    """
    events = tracker.events
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    misses = 1 if users else 0
    for index in reversed(users[:-1]):
        topic = _reply_topic(events, index)
        intent = ((events[index].get("parse_data") or {}).get("intent") or {}).get("name")
        missed = topic == "out_of_scope" if topic is not None else intent in MISS_INTENTS
        if not missed:
            break
        misses += 1
    return misses


def safety_rule(tracker: Tracker) -> dict[str, Any] | None:
    """The gateway's rule layer marks a message it caught (crisis, request for a person) in the metadata."""
    metadata = tracker.latest_message.get("metadata") or {}
    rule = metadata.get("safety_rule")
    return rule if isinstance(rule, dict) else None


def model_id(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return (event.get("metadata") or {}).get("model_id")
    return None
