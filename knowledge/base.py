"""Loading, checking and searching the curated knowledge base in data/knowledge/."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.municipality import Municipality
from knowledge.text import keyword_positions, words


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Answer:
    """One curated sub-answer: the only texts the bot ever sends as an answer."""

    id: str
    topic: str
    text: str
    keywords: tuple[str, ...]
    sources: tuple[Source, ...]
    owner: str
    last_reviewed: dt.date
    review_due: dt.date
    is_default: bool
    uses_example_values: bool


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    owner: str
    sensitive: bool
    escalation_reason: str | None
    answers: tuple[Answer, ...]

    @property
    def default_answer(self) -> Answer:
        return next((a for a in self.answers if a.is_default), self.answers[0])


@dataclass(frozen=True)
class AnswerChoice:
    """The answer picked for a message and the keywords that decided it (part of the explanation)."""

    answer: Answer
    matched_keywords: tuple[str, ...]


class KnowledgeBase:
    def __init__(self, topics: dict[str, Topic], version: str) -> None:
        self.topics = topics
        self.version = version

    def topic(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def choose_answer(self, topic_id: str, text: str) -> AnswerChoice:
        """Pick the sub-answer whose keywords cover most of the citizen's words.

        Counting covered words, not keywords, stops one word that matches two similar keywords from
        counting twice; more matching keywords break a tie (a word that is very specific for an answer is
        often listed in several forms). No match, or a full tie with the default answer, gives the default.
        """
        topic = self.topics[topic_id]
        tokens = words(text)
        scored: list[tuple[tuple[int, int], Answer, tuple[str, ...]]] = []
        for answer in topic.answers:
            covered: set[int] = set()
            hits = []
            for keyword in answer.keywords:
                positions = keyword_positions(tokens, keyword)
                if positions:
                    hits.append(keyword)
                    covered |= positions
            scored.append(((len(covered), len(hits)), answer, tuple(hits)))
        top = max(score for score, _, _ in scored)
        if top[0] == 0:
            return AnswerChoice(topic.default_answer, ())
        leaders = [(answer, hits) for score, answer, hits in scored if score == top]
        answer, hits = next(((a, h) for a, h in leaders if a.is_default), leaders[0])
        return AnswerChoice(answer, hits)

    def all_answers(self) -> list[Answer]:
        return [a for t in self.topics.values() for a in t.answers]


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from exc


def _load_topic(path: Path, municipality: Municipality) -> Topic:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    topic_id = raw["topic"]
    if path.stem != topic_id:
        raise ValueError(f"{path.name}: file name must equal its topic id '{topic_id}'")
    values = municipality.template_values()
    example_keys = set((municipality.raw.get("example_values") or {}).keys())
    answers = []
    for item in raw["answers"]:
        where = f"{path.name}#{item['id']}"
        template = " ".join(str(item["text"]).split())
        try:
            text = template.format_map(values)
        except KeyError as exc:
            raise ValueError(f"{where}: unknown placeholder {exc}") from exc
        sources = [item["source"], *item.get("extra_sources", [])]
        answers.append(
            Answer(
                id=item["id"],
                topic=topic_id,
                text=text,
                keywords=tuple(item.get("keywords", [])),
                sources=tuple(Source(s["title"], municipality.absolute_url(s["url"])) for s in sources),
                owner=item.get("owner", raw.get("owner", "")),
                last_reviewed=_date(item.get("last_reviewed", raw.get("last_reviewed")), where),
                review_due=_date(item.get("review_due", raw.get("review_due")), where),
                is_default=bool(item.get("default", False)),
                uses_example_values=any("{" + k + "}" in template for k in example_keys),
            )
        )
    return Topic(
        id=topic_id,
        title=raw["title"],
        owner=raw.get("owner", ""),
        sensitive=bool(raw.get("sensitive", False)),
        escalation_reason=raw.get("escalation_reason"),
        answers=tuple(answers),
    )


def content_version(paths: list[Path]) -> str:
    """A short hash of the curated files, recorded with every decision (knowledge_version)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "kb-" + digest.hexdigest()[:12]


def load_knowledge_base(directory: Path, municipality: Municipality, municipality_file: Path | None = None) -> KnowledgeBase:
    files = sorted(directory.glob("*.yml"))
    topics = {t.id: t for t in (_load_topic(p, municipality) for p in files)}
    version_inputs = files + ([municipality_file] if municipality_file else [])
    return KnowledgeBase(topics, content_version(version_inputs))
