"""Training data rules: enough varied examples per topic, and a held-out set that training never saw."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from knowledge import TOPICS
from knowledge.text import normalise
from tests.nlu import english_sets, long_phrasing_sets

ROOT = Path(__file__).resolve().parents[2]


def examples(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
        if "intent" not in block:
            continue
        lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
        found.setdefault(block["intent"], []).extend(lines)
    return found


def training() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for intent, lines in examples(path).items():
            merged.setdefault(intent, []).extend(lines)
    return merged


def plain(example: str) -> str:
    """Entity annotations removed: "[paspoort](document)" -> "paspoort"."""
    import re

    return normalise(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", example))


def test_every_topic_has_at_least_30_distinct_training_examples():
    data = training()
    for topic in TOPICS:
        distinct = {plain(e) for e in data.get(topic, [])}
        assert len(distinct) >= 30, f"{topic}: {len(distinct)}"


HELDOUT_SETS = ("heldout.yml", "heldout_blind.yml")
# The long, indirect and non-native Dutch sets (issue 14) and the English sets (issue 16), oldest first.
LONG_SETS = long_phrasing_sets()
ENGLISH_SETS = english_sets()


def test_each_heldout_set_has_at_least_6_per_topic():
    for name in HELDOUT_SETS:
        heldout = examples(ROOT / "tests" / "nlu" / name)
        for topic in TOPICS:
            assert len(heldout.get(topic, [])) >= 6, (name, topic)


def test_no_heldout_sentence_is_in_the_training_data_or_the_other_set():
    trained = {plain(e) for lines in training().values() for e in lines}
    first, blind = ([e for lines in examples(ROOT / "tests" / "nlu" / n).values() for e in lines] for n in HELDOUT_SETS)
    assert [e for e in first + blind if plain(e) in trained] == []
    assert [e for e in blind if plain(e) in {plain(f) for f in first}] == []


def test_no_example_is_listed_under_two_intents():
    seen: dict[str, str] = {}
    clashes = []
    for intent, lines in training().items():
        for example in lines:
            key = plain(example)
            if key in seen and seen[key] != intent:
                clashes.append((example, seen[key], intent))
            seen[key] = intent
    assert clashes == []


def test_no_sentence_of_the_conversation_sets_is_in_the_training_data():
    """The multi-turn set and the long-phrasing set (issue 14) measure, so training must never see them."""
    trained = {plain(e) for lines in training().values() for e in lines}
    long_set = [e for path in LONG_SETS for lines in examples(path).values() for e in lines]
    conversations = yaml.safe_load((ROOT / "tests" / "conversations" / "multi_turn.yml").read_text(encoding="utf-8"))
    turns = [turn["text"] for c in conversations["conversations"] for turn in c["turns"]]
    assert len(long_set) >= 210 and len(turns) >= 140
    assert [e for e in long_set + turns if plain(e) in trained] == []


def test_no_long_phrasing_or_english_question_is_a_near_copy_of_a_training_example():
    """An edited copy (a word swapped, punctuation changed) would inflate the measured figure as well."""
    trained = [plain(e) for lines in training().values() for e in lines if len(e) > 40]
    long_set = [plain(e) for path in (*LONG_SETS, *ENGLISH_SETS) for lines in examples(path).values() for e in lines]
    near = [
        (e, t)
        for e in long_set
        for t in trained
        if abs(len(e) - len(t)) < 0.2 * len(e) and difflib.SequenceMatcher(None, e, t).ratio() > 0.85
    ]
    assert near == []


def test_no_message_of_the_pii_set_is_in_the_training_data():
    """tests/privacy/pii_stack_set.yml measures the screen through the stack (issue 15): never trained on."""
    trained = {plain(e) for lines in training().values() for e in lines}
    messages = yaml.safe_load((ROOT / "tests" / "privacy" / "pii_stack_set.yml").read_text(encoding="utf-8"))["messages"]
    assert [m["text"] for m in messages if plain(m["text"]) in trained] == []


def test_the_multi_turn_set_is_as_large_as_the_issue_asks():
    conversations = yaml.safe_load((ROOT / "tests" / "conversations" / "multi_turn.yml").read_text(encoding="utf-8"))
    follow_ups = sum(len(c["turns"]) - 1 for c in conversations["conversations"])
    assert len(conversations["conversations"]) >= 40 and follow_ups >= 100


def test_the_english_heldout_sets_cover_every_topic_and_are_never_trained_on():
    """issue 16: each English set (ENGLISH_SETS, oldest first: the first written before the English training
    data, each later one before the batch it measures) covers every topic and shares no sentence with the
    training data or with an older set."""
    assert ENGLISH_SETS[0].name == "heldout_en.yml"
    seen = {plain(e) for lines in training().values() for e in lines}
    for path in ENGLISH_SETS:
        found = examples(path)
        assert all(len(found.get(topic, [])) >= 3 for topic in TOPICS), (path.name, {t: len(found.get(t, [])) for t in TOPICS})
        assert [e for lines in found.values() for e in lines if plain(e) in seen] == [], path.name
        seen |= {plain(e) for lines in found.values() for e in lines}
