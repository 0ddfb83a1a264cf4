"""The language of the turn being answered (issue 16): Dutch, or English when the gateway says so.

The gateway detects the language and passes it in the message metadata. Every action runs inside one
turn, so the language is held in a context variable for the duration of the action: the knowledge base
and the dialogue texts the action reads are then those of that language, without threading it through
every reply helper.
"""

from __future__ import annotations

import contextvars

from rasa_sdk import Tracker

from knowledge import ANSWERED_LANGUAGES

# Languages the assistant answers in; any other value (or none) means Dutch.
ANSWERED = frozenset(ANSWERED_LANGUAGES)
DEFAULT = ANSWERED_LANGUAGES[0]

_current: contextvars.ContextVar[str] = contextvars.ContextVar("turn_language", default=DEFAULT)


def of_turn(tracker: Tracker) -> str:
    language = ((tracker.latest_message or {}).get("metadata") or {}).get("language")
    return language if language in ANSWERED else DEFAULT


def current() -> str:
    return _current.get()


def use(language: str) -> contextvars.Token[str]:
    return _current.set(language if language in ANSWERED else DEFAULT)


def reset(token: contextvars.Token[str]) -> None:
    _current.reset(token)
