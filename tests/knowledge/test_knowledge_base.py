"""Checks on the curated knowledge base that a content editor would otherwise forget."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from knowledge import TOPICS, load_knowledge_base, load_municipality

ROOT = Path(__file__).resolve().parents[2]
MUNICIPALITY = load_municipality(ROOT / "data" / "municipality.yml")
KB = load_knowledge_base(ROOT / "data" / "knowledge", MUNICIPALITY)
ANSWERS = KB.all_answers()
# B1: short sentences. Hard limit per sentence, and a lower average per answer.
MAX_WORDS_PER_SENTENCE = 25
MAX_AVERAGE_WORDS = 15


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]


def test_every_contract_topic_has_exactly_one_knowledge_file():
    assert set(KB.topics) == set(TOPICS)
    assert len(TOPICS) == 28


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.topic}/{a.id}")
def test_answer_has_source_owner_and_current_review(answer):
    assert answer.sources, "no source"
    for source in answer.sources:
        assert source.url.startswith("https://"), source.url
        assert source.title.strip()
    assert answer.owner.strip(), "no owner"
    assert answer.last_reviewed <= dt.date.today(), "reviewed in the future"
    assert answer.review_due > answer.last_reviewed
    assert answer.review_due >= dt.date.today(), f"review overdue since {answer.review_due}"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.topic}/{a.id}")
def test_answer_is_written_in_short_sentences(answer):
    lengths = [len(s.split()) for s in sentences(answer.text)]
    assert max(lengths) <= MAX_WORDS_PER_SENTENCE, [s for s in sentences(answer.text) if len(s.split()) > MAX_WORDS_PER_SENTENCE]
    assert sum(lengths) / len(lengths) <= MAX_AVERAGE_WORDS


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.topic}/{a.id}")
def test_placeholders_are_filled(answer):
    assert "{" not in answer.text and "}" not in answer.text


def test_every_topic_has_one_default_answer():
    for topic in KB.topics.values():
        assert sum(a.is_default for a in topic.answers) == 1, topic.id


def test_crisis_answer_gives_all_help_numbers():
    text = KB.topic("crisis").default_answer.text
    for number in ("112", "113", "0800-0113", "0800-2000"):
        assert number in text


def test_fees_come_from_the_example_values_and_are_marked():
    kosten = KB.choose_answer("reisdocument", "wat kost een paspoort").answer
    assert kosten.uses_example_values
    assert MUNICIPALITY.raw["example_values"]["tarief_paspoort"] in kosten.text


@pytest.mark.parametrize("topic", ["bijstand", "kwijtschelding", "wmo", "schulden"])
def test_benefit_answers_give_information_and_route_never_a_verdict(topic):
    for answer in KB.topic(topic).answers:
        text = answer.text.lower()
        assert not re.match(r"^(ja|nee)\b", text), answer.id
        assert not re.search(r"\bje (hebt|krijgt) (recht|geen recht)\b", text), answer.id
        assert "aanvra" in text or "bel" in text or "meld" in text, f"{answer.id}: no route to apply"


def test_eligibility_answers_say_a_person_decides():
    for topic in ("bijstand", "kwijtschelding"):
        text = KB.topic(topic).default_answer.text.lower()
        assert "medewerker" in text and ("besluit" in text or "beoordeel" in text)


@pytest.mark.parametrize(
    ("topic", "question", "expected"),
    [
        ("reisdocument", "wat kost een paspoort", "kosten"),
        ("reisdocument", "paspoort kwyt", "kwijt"),
        ("reisdocument", "id kaart aanvragen", "aanvragen"),
        ("afval", "grofvuil ophalen", "grofvuil"),
        ("afval", "wanneer komt de gft bak", "kalender"),
        ("belastingen", "bezwaar tegen de woz", "bezwaar"),
        ("verhuizing", "ik ga naar het buitenland verhuizen", "emigreren"),
        ("parkeren", "ik heb een boete gekregen", "boete"),
        ("rijbewijs", "buitenlands rijbewijs omwisselen", "omwisselen"),
    ],
)
def test_sub_answer_follows_the_citizens_words(topic, question, expected):
    assert KB.choose_answer(topic, question).answer.id == expected


def test_unknown_words_give_the_default_answer():
    choice = KB.choose_answer("reisdocument", "xyz")
    assert choice.answer.is_default and choice.matched_keywords == ()


def test_knowledge_version_changes_with_content(tmp_path):
    import shutil

    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "data" / "knowledge", copy)
    dialogue = ROOT / "data" / "dialogue.yml"
    before = load_knowledge_base(copy, MUNICIPALITY, dialogue_file=dialogue).version
    (copy / "afval.yml").write_text((copy / "afval.yml").read_text().replace("7.30 uur", "7.00 uur"))
    assert load_knowledge_base(copy, MUNICIPALITY, dialogue_file=dialogue).version != before
