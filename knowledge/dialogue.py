"""What a message asks beside its topic: its aspects, whether it refers back, and the questions it holds.

The topic comes from the statistical model; everything here is a transparent word list (data/dialogue.yml),
so that a reviewer can read why "wat kost dat" was answered with the costs of the previous topic. Pure
Python, shared by the action server and the tests of both environments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import keyword_positions, words

_SENTENCE_END = re.compile(r"[?!.;]+(?:\s+|$)|\n+")


@dataclass(frozen=True)
class Aspect:
    id: str
    label: str
    phrase: str
    own_answer: bool
    words: tuple[str, ...]
    label_en: str = ""
    phrase_en: str = ""


@dataclass(frozen=True)
class Question:
    """One question of a message: its words, the topics it names and the aspects it asks about."""

    text: str
    topics: tuple[str, ...]
    aspects: tuple[str, ...]

    @property
    def asks_something(self) -> bool:
        return bool(self.topics or self.aspects)


def _matches(tokens: list[str], phrases: tuple[str, ...]) -> set[int]:
    covered: set[int] = set()
    for phrase in phrases:
        covered |= keyword_positions(tokens, phrase)
    return covered


class Dialogue:
    """The lexicon of the conversation (aspects, referring words, separators) and its texts."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.aspects: dict[str, Aspect] = {
            aspect_id: Aspect(
                id=aspect_id,
                label=str(item["label"]),
                phrase=str(item["phrase"]),
                own_answer=bool(item.get("own_answer", True)),
                words=tuple(str(w) for w in item["words"]),
                label_en=str(item.get("label_en") or item["label"]),
                phrase_en=str(item.get("phrase_en") or item["phrase"]),
            )
            for aspect_id, item in raw["aspects"].items()
        }
        self.referring_words = tuple(str(w) for w in raw.get("referring_words", []))
        self.follow_up_openers = tuple(str(w) for w in raw.get("follow_up_openers", []))
        self.correction_markers = tuple(str(w) for w in raw.get("correction_markers", []))
        self.not_aspects = tuple(str(w) for w in raw.get("not_aspects", []))
        self.switch_markers = tuple(str(w) for w in raw.get("switch_markers", []))
        self.separators = tuple(sorted((str(w) for w in raw.get("question_separators", [])), key=len, reverse=True))
        self.max_questions = int(raw.get("max_questions", 3))
        # as word tuples, matched exactly against the message's first words on every turn
        self.question_openers = tuple(tuple(words(str(w))) for w in raw.get("question_openers", []))
        self.texts: dict[str, str] = {k: " ".join(str(v).split()) for k, v in (raw.get("texts") or {}).items()}
        self.texts_en: dict[str, str] = {k: " ".join(str(v).split()) for k, v in (raw.get("texts_en") or {}).items()}
        self.language = "nl"

    def localised(self, language: str) -> Dialogue:
        """The same lexicon (it holds the words of both languages) with the texts, labels and phrases of
        `language`; Dutch for any language without its own texts."""
        if language != "en" or self.language == "en":
            return self
        copy = object.__new__(Dialogue)
        copy.__dict__.update(self.__dict__)
        copy.texts = {**self.texts, **self.texts_en}
        copy.aspects = {k: replace(a, label=a.label_en, phrase=a.phrase_en) for k, a in self.aspects.items()}
        copy.language = "en"
        return copy

    # -- aspects -------------------------------------------------------------------------------------------
    def detect_aspects(self, text: str) -> tuple[str, ...]:
        """The aspects a text asks about, most important first.

        A phrase that covers the words of a shorter one wins ("mee komen" is about who comes, not about what
        to bring along, although it contains "mee").
        """
        tokens = words(text)
        situation = _matches(tokens, self.not_aspects)
        found = {aspect.id: _matches(tokens, aspect.words) - situation for aspect in self.aspects.values()}
        found = {k: v for k, v in found.items() if v}
        kept = [k for k, v in found.items() if not any(other != k and v < w for other, w in found.items())]
        order = list(self.aspects)
        return tuple(sorted(kept, key=order.index))

    def needs_own_answer(self, aspect_id: str) -> bool:
        return self.aspects[aspect_id].own_answer

    # -- references back -------------------------------------------------------------------------------------
    def refers_back(self, text: str) -> bool:
        """Does the text point at something said before ("dat", "daarvoor"), or open like a follow-up ("en …")?"""
        tokens = words(text)
        if not tokens:
            return False
        if _matches(tokens, self.referring_words):
            return True
        return len(tokens) <= 6 and any(0 in keyword_positions(tokens, opener) for opener in self.follow_up_openers)

    def asks_a_question(self, text: str) -> bool:
        """The message is phrased as a question ("mag ik bij het gesprek zijn", "kan dat online?"): it opens
        with a question verb or ends with a question mark. A goodbye never does."""
        if text.strip().endswith("?"):
            return True
        tokens = tuple(words(text))
        return any(tokens[: len(opener)] == opener for opener in self.question_openers)

    def switches_topic(self, text: str) -> bool:
        """Does the text announce another topic ("oh en iets anders …")?"""
        return bool(_matches(words(text), self.switch_markers))

    def is_correction(self, text: str) -> bool:
        tokens = words(text)
        return any(
            positions and min(positions) <= 1
            for positions in (keyword_positions(tokens, marker) for marker in self.correction_markers)
        )

    # -- several questions --------------------------------------------------------------------------------------
    def split_questions(self, text: str, name_topics) -> list[Question]:
        """The questions in a message, in order. `name_topics(text)` says which topics a piece of text names.

        A message is cut at sentence ends, then at separators ("en ook", "en"), but a cut is kept only where
        both parts ask something of their own; otherwise the parts stay one question.
        """

        def question(part: str) -> Question:
            return Question(text=part.strip(), topics=tuple(name_topics(part)), aspects=self.detect_aspects(part))

        pieces = [p for p in _SENTENCE_END.split(text) if p and p.strip()]
        questions: list[Question] = []
        for piece in pieces:
            questions.extend(self._split_at_separators(piece, question))
        merged: list[Question] = []
        for q in questions:
            if merged and not (q.asks_something and merged[-1].asks_something):
                merged[-1] = question(merged[-1].text + " " + q.text)
            else:
                merged.append(q)
        return merged or [question(text)]

    def _split_at_separators(self, piece: str, question) -> list[Question]:
        """Cut at the first separator where both sides ask something different; the parts keep the
        citizen's own spelling, for the explanation ("dit deel van je bericht")."""
        spans = _word_spans(piece)
        tokens = [token for token, _, _ in spans]
        for separator in self.separators:
            sep = words(separator)
            n = len(sep)
            for start in range(1, len(tokens) - n):
                if tokens[start : start + n] != sep:
                    continue
                left, right = piece[: spans[start][1]].strip(), piece[spans[start + n - 1][2] :].strip()
                first, second = question(left), question(right)
                if first.asks_something and second.asks_something and _differ(first, second):
                    return [first, *self._split_at_separators(right, question)]
        return [question(piece)]

    # -- texts ---------------------------------------------------------------------------------------------------
    def text(self, key: str, **values: Any) -> str:
        return self.texts[key].format_map(values)


def _word_spans(text: str) -> list[tuple[str, int, int]]:
    """Each word's normalised form with its place in the original text."""
    spans = []
    for match in re.finditer(r"\w+", text):
        for token in words(match.group()):
            spans.append((token, match.start(), match.end()))
    return spans


def _differ(first: Question, second: Question) -> bool:
    """Two parts are two questions when they ask about another topic or another aspect."""
    if second.topics and set(second.topics) - set(first.topics):
        return True
    return bool(second.aspects) and set(second.aspects) != set(first.aspects)


def load_dialogue(path: Path) -> Dialogue:
    return Dialogue(yaml.safe_load(path.read_text(encoding="utf-8")))
