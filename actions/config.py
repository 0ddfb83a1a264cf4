"""Action server settings (env prefix ACTIONS_), read lazily: importing an action module has no side effects."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from actions import language
from knowledge import KnowledgeBase, Municipality, load_knowledge_base, load_municipality

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ActionSettings:
    knowledge_dir: Path
    municipality_file: Path
    # How many likely topics a clarifying question offers as buttons.
    clarify_max_options: int
    # A topic must reach this confidence to be offered as a button.
    clarify_min_confidence: float
    # After this many misses in a row the bot offers a person.
    misses_before_human: int
    # After a pause this long between two messages, a follow-up no longer refers to the earlier topic.
    context_max_pause_minutes: float


@functools.lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    env = os.environ
    return ActionSettings(
        knowledge_dir=Path(env.get("ACTIONS_KNOWLEDGE_DIR", PROJECT_ROOT / "data" / "knowledge")),
        municipality_file=Path(env.get("ACTIONS_MUNICIPALITY_FILE", PROJECT_ROOT / "data" / "municipality.yml")),
        clarify_max_options=int(env.get("ACTIONS_CLARIFY_MAX_OPTIONS", "3")),
        clarify_min_confidence=float(env.get("ACTIONS_CLARIFY_MIN_CONFIDENCE", "0.05")),
        misses_before_human=int(env.get("ACTIONS_MISSES_BEFORE_HUMAN", "2")),
        context_max_pause_minutes=float(env.get("ACTIONS_CONTEXT_MAX_PAUSE_MINUTES", "30")),
    )


@functools.lru_cache(maxsize=1)
def get_municipality() -> Municipality:
    return load_municipality(get_settings().municipality_file)


@functools.lru_cache(maxsize=1)
def _loaded_knowledge_base() -> KnowledgeBase:
    settings = get_settings()
    return load_knowledge_base(settings.knowledge_dir, get_municipality(), settings.municipality_file)


def get_knowledge_base() -> KnowledgeBase:
    """The knowledge base in the language of the turn being answered (Dutch outside a turn)."""
    return _loaded_knowledge_base().localised(language.current())


@functools.lru_cache(maxsize=4)
def _facts(turn_language: str) -> dict[str, str]:
    return get_municipality().template_values(turn_language)


def dialogue_text(key: str, **values: object) -> str:
    """One of the dialogue's own sentences (data/dialogue.yml) in the turn's language, with the
    municipality's facts in that language filled in."""
    return get_knowledge_base().dialogue.text(key, **{**_facts(language.current()), **values})
