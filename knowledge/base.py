"""Loading, checking and searching the curated knowledge base in data/knowledge/."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from knowledge.contract import EscalationReason
from knowledge.dialogue import Dialogue, load_dialogue
from knowledge.municipality import Municipality
from knowledge.text import keyword_positions, words

# The dialogue lexicon lives beside the knowledge files (data/dialogue.yml).
DIALOGUE_FILE = "dialogue.yml"
# Translations of the knowledge texts live in a folder per language beside the Dutch files (data/knowledge/en/).
# The languages the assistant answers in are Dutch and these; the texts of the gateway (data/texts.<lang>.yml),
# the citizen page and the action server follow this list.
TRANSLATED_LANGUAGES = ("en",)
ANSWERED_LANGUAGES = ("nl", *TRANSLATED_LANGUAGES)
# A word that names a topic forgives a typo only when it is this long: "komen" is not a misspelt "bomen".
TOPIC_WORD_TYPO_LENGTH = 7


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
    # What the sub-answer is about: its aspects ("kosten", "duur") and, in topics with several
    # subjects (afval: grofvuil, containers, ...), its subject. Topic x subject x aspect picks it.
    aspects: tuple[str, ...] = ()
    subject: str | None = None
    # The language the text is in: an English conversation gets a Dutch text, marked as such, where the
    # translation of a sub-answer does not exist yet.
    language: str = "nl"

    @property
    def ref(self) -> str:
        """The answer_id of the explanation and the decision record: "topic/answer"."""
        return f"{self.topic}/{self.id}"


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    owner: str
    sensitive: bool
    escalation_reason: EscalationReason | None
    answers: tuple[Answer, ...]
    # How the dialogue refers to the topic ("je paspoort of ID-kaart") in "je vroeg net naar …".
    about: str = ""
    # Words that name the topic itself, so that a follow-up without them stays in the current topic and a
    # message with them switches; several named topics make several questions.
    topic_words: tuple[str, ...] = ()
    # Subject id -> the words that name it.
    subjects: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def default_answer(self) -> Answer:
        return next((a for a in self.answers if a.is_default), self.answers[0])

    @property
    def page(self) -> Source:
        """The topic's main page, given when the assistant lacks a detail."""
        return self.default_answer.sources[0]

    def answer(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)


@dataclass(frozen=True)
class AnswerChoice:
    """The answer picked for a message and what decided it (part of the explanation).

    `answer` is None when the topic is clear but no sub-answer covers the aspect asked (`missing_detail`):
    the assistant then says so instead of giving the topic's main text as if it answered.
    """

    answer: Answer | None
    matched_keywords: tuple[str, ...]
    aspect: str | None = None
    subject: str | None = None

    @property
    def missing_detail(self) -> bool:
        return self.answer is None


def _coverage(tokens: list[str], keywords: tuple[str, ...]) -> tuple[int, int, tuple[str, ...]]:
    """(words covered, keywords that hit, those keywords): counting covered words, not keywords, stops one
    word that matches two similar keywords from counting twice."""
    covered: set[int] = set()
    hits = []
    for keyword in keywords:
        positions = keyword_positions(tokens, keyword)
        if positions:
            hits.append(keyword)
            covered |= positions
    return len(covered), len(hits), tuple(hits)


class KnowledgeBase:
    def __init__(
        self,
        topics: dict[str, Topic],
        version: str,
        dialogue: Dialogue,
        translations: dict[str, dict[str, Topic]] | None = None,
        language: str = "nl",
    ) -> None:
        self.topics = topics
        self.version = version
        self.dialogue = dialogue
        self.language = language
        self._translations = translations or {}
        self._localised: dict[str, KnowledgeBase] = {}

    def localised(self, language: str) -> KnowledgeBase:
        """The knowledge base as a conversation in `language` sees it: the same topics, sub-answers and ids,
        with the translated titles and texts. Dutch for a language without translations."""
        if language == self.language or language not in self._translations:
            return self
        if language not in self._localised:
            self._localised[language] = KnowledgeBase(
                self._translations[language], self.version, self.dialogue.localised(language), language=language
            )
        return self._localised[language]

    def topic(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def answer(self, ref: str | None) -> Answer | None:
        """The answer behind an answer_id ("topic/answer"), or None for an unknown or stale id."""
        topic_id, _, answer_id = (ref or "").partition("/")
        return self.topics[topic_id].answer(answer_id) if topic_id in self.topics else None

    def topics_named(self, text: str) -> list[str]:
        """The topics whose own words appear in the text, in the order they appear."""
        tokens = words(text)
        found = []
        for topic in self.topics.values():
            positions = set().union(*(keyword_positions(tokens, w, TOPIC_WORD_TYPO_LENGTH) for w in topic.topic_words))
            if positions:
                found.append((min(positions), topic.id))
        return [topic_id for _, topic_id in sorted(found)]

    def _subject(self, topic: Topic, tokens: list[str]) -> str | None:
        """The subject the words name most clearly; a tie goes to the subject listed first."""
        scored = [(_coverage(tokens, names)[:2], -i, subject) for i, (subject, names) in enumerate(topic.subjects)]
        best = max(scored, default=((0, 0), 0, None))
        return best[2] if best[0][0] else None

    def choose_answer(
        self, topic_id: str, text: str, *, context_answer: Answer | None = None, aspect_hint: str | None = None
    ) -> AnswerChoice:
        """Pick the sub-answer for topic x subject x aspect.

        The aspect comes from the citizen's words ("wat kost"), the subject from their words or else from
        the answer given just before in the same topic ("kost dat iets" after the grofvuil answer asks for
        the costs of grofvuil). An aspect that needs its own answer and has none in this subject gives no
        answer (missing detail), never the main text. Without such an aspect the answer whose keywords cover
        most of the citizen's words is chosen; no match gives the subject's or the topic's main answer.
        `aspect_hint` is an aspect asked without words of its own: a button, or a correction that keeps the
        aspect of the question before ("nee, ik bedoel mijn rijbewijs" after "wat kost een paspoort").
        """
        topic = self.topics[topic_id]
        tokens = words(text)
        asked = self.dialogue.detect_aspects(text)
        own = [a for a in asked if self.dialogue.needs_own_answer(a)]
        if aspect_hint in self.dialogue.aspects and not own:
            asked = (aspect_hint, *asked)
            own = [a for a in asked if self.dialogue.needs_own_answer(a)]
        named_subject = self._subject(topic, tokens)
        subject = named_subject
        if subject is None and context_answer is not None and context_answer.topic == topic.id:
            subject = context_answer.subject
        in_subject = [a for a in topic.answers if subject is None or a.subject in (None, subject)]
        candidates = [a for a in in_subject if set(a.aspects) & set(asked)]
        if candidates:

            def rank(answer: Answer) -> tuple[int, int, bool, int, bool]:
                covered = [asked.index(x) for x in answer.aspects if x in asked]
                coverage = _coverage(tokens, answer.keywords)[0]
                return (len(covered), -min(covered), answer.subject == subject, coverage, answer.is_default)

            best = max(candidates, key=rank)
            if not own or set(best.aspects) & set(own):
                aspect = next(x for x in asked if x in best.aspects)
                return AnswerChoice(best, _coverage(tokens, best.keywords)[2], aspect=aspect, subject=best.subject)
        if own:
            return AnswerChoice(None, (), aspect=own[0], subject=subject)
        # No aspect with an answer of its own: the words decide, within the subject the message names.
        pool = [a for a in in_subject if named_subject is None or a.subject == named_subject] or in_subject
        scored = [(_coverage(tokens, a.keywords), a) for a in pool]
        top = max(score[:2] for score, _ in scored)
        soft = asked[0] if asked else None
        if top[0] == 0:
            main = next((a for _, a in scored if a.subject == subject and a.is_default), None)
            main = main or next((a for _, a in scored if subject is not None and a.subject == subject), topic.default_answer)
            return AnswerChoice(main, (), aspect=soft, subject=main.subject)
        leaders = [(a, score[2]) for score, a in scored if score[:2] == top]
        answer, hits = next(((a, h) for a, h in leaders if a.is_default), leaders[0])
        return AnswerChoice(answer, hits, aspect=soft, subject=answer.subject)

    def all_answers(self) -> list[Answer]:
        return [a for t in self.topics.values() for a in t.answers]


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from exc


def _load_topic(path: Path, municipality: Municipality, dialogue: Dialogue) -> Topic:
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
                aspects=_known_aspects(item.get("aspects", []), dialogue, where),
                subject=item.get("subject"),
            )
        )
    subjects = {str(k): tuple(str(w) for w in v) for k, v in (raw.get("subjects") or {}).items()}
    for answer in answers:
        if answer.subject is not None and answer.subject not in subjects:
            raise ValueError(f"{path.name}#{answer.id}: unknown subject '{answer.subject}'")
    return Topic(
        id=topic_id,
        title=raw["title"],
        owner=raw.get("owner", ""),
        sensitive=bool(raw.get("sensitive", False)),
        # an unknown reason stops the load: it would reach staff pages unlabelled
        escalation_reason=EscalationReason(raw["escalation_reason"]) if raw.get("escalation_reason") else None,
        answers=tuple(answers),
        about=str(raw.get("about") or raw["title"].lower()),
        topic_words=tuple(str(w) for w in raw.get("topic_words", [])),
        subjects=tuple(subjects.items()),
    )


def _known_aspects(values: list[str], dialogue: Dialogue, where: str) -> tuple[str, ...]:
    unknown = [v for v in values if v not in dialogue.aspects]
    if unknown:
        raise ValueError(f"{where}: unknown aspect(s) {unknown} (see {DIALOGUE_FILE})")
    return tuple(values)


def content_version(paths: list[Path]) -> str:
    """A short hash of the curated files, recorded with every decision (knowledge_version)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "kb-" + digest.hexdigest()[:12]


def _translate_topic(topic: Topic, raw: dict[str, Any], municipality: Municipality, dialogue: Dialogue, language: str) -> Topic:
    """The topic in `language`: translated sub-answers get their own text and source title; the others keep
    the Dutch text inside the dialogue's "only in Dutch" sentence, so the citizen knows and the content
    team sees what is missing (the explanation names the language of the text)."""
    values = municipality.template_values(language)
    translated = raw.get("answers") or {}
    unknown = set(translated) - {a.id for a in topic.answers}
    if unknown:
        raise ValueError(f"{language}/{topic.id}.yml: unknown answer id(s) {sorted(unknown)}")
    localised = dialogue.localised(language)
    # A page has one title: a translation that names none takes the one given for the same page elsewhere.
    titles = {
        answer.sources[0].url: str(translated[answer.id]["source_title"])
        for answer in topic.answers
        if answer.id in translated and translated[answer.id].get("source_title")
    }
    answers = []
    for answer in topic.answers:
        item = translated.get(answer.id)
        if item is None:
            text = localised.text("dutch_only", text=answer.text)
            answers.append(replace(answer, text=text, language="nl"))
            continue
        where = f"{language}/{topic.id}.yml#{answer.id}"
        try:
            text = " ".join(str(item["text"]).split()).format_map(values)
        except KeyError as exc:
            raise ValueError(f"{where}: unknown placeholder {exc}") from exc
        first, *rest = answer.sources
        sources = (Source(str(item.get("source_title") or titles.get(first.url, first.title)), first.url), *rest)
        keywords = answer.keywords + tuple(str(k) for k in item.get("keywords", []))
        answers.append(replace(answer, text=text, sources=sources, keywords=keywords, language=language))
    return replace(topic, title=str(raw["title"]), about=str(raw.get("about") or raw["title"]), answers=tuple(answers))


def _read_translations(directory: Path, topics: dict[str, Topic]) -> tuple[dict[str, dict[str, dict[str, Any]]], list[Path]]:
    """The translation files per language (data/knowledge/<language>/<topic>.yml), read once."""
    raws: dict[str, dict[str, dict[str, Any]]] = {}
    files: list[Path] = []
    for language in TRANSLATED_LANGUAGES:
        folder = directory / language
        if not folder.is_dir():
            continue
        raws[language] = {}
        for path in sorted(folder.glob("*.yml")):
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if raw.get("topic") != path.stem or path.stem not in topics:
                raise ValueError(f"{language}/{path.name}: the topic must be the file name and a known topic")
            raws[language][path.stem] = raw
            files.append(path)
    return raws, files


def load_knowledge_base(
    directory: Path, municipality: Municipality, municipality_file: Path | None = None, dialogue_file: Path | None = None
) -> KnowledgeBase:
    dialogue_file = dialogue_file or directory.parent / DIALOGUE_FILE
    dialogue = load_dialogue(dialogue_file)
    files = sorted(directory.glob("*.yml"))
    topics = {t.id: t for t in (_load_topic(p, municipality, dialogue) for p in files)}
    raws, translated_files = _read_translations(directory, topics)
    # A topic's words in every language name it, whatever language the conversation is in ("passport").
    for by_topic in raws.values():
        for topic_id, raw in by_topic.items():
            extra = tuple(str(w) for w in raw.get("topic_words") or [])
            topics[topic_id] = replace(topics[topic_id], topic_words=topics[topic_id].topic_words + extra)
    translations = {
        language: {
            topic_id: _translate_topic(topic, by_topic[topic_id], municipality, dialogue, language)
            if topic_id in by_topic
            else topic
            for topic_id, topic in topics.items()
        }
        for language, by_topic in raws.items()
    }
    version_inputs = [*files, *translated_files, dialogue_file] + ([municipality_file] if municipality_file else [])
    return KnowledgeBase(topics, content_version(version_inputs), dialogue, translations)
