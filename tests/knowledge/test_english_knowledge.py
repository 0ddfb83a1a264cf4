"""The English knowledge texts (issue 16): every topic's main answer and the crisis and handover texts exist
in English, with the Dutch sub-answer's source, owner and review date, and English municipality facts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge import TOPICS, load_knowledge_base, load_municipality

ROOT = Path(__file__).resolve().parents[2]
MUNICIPALITY = load_municipality(ROOT / "data" / "municipality.yml")
KNOWLEDGE = load_knowledge_base(ROOT / "data" / "knowledge", MUNICIPALITY)
ENGLISH = KNOWLEDGE.localised("en")


def test_every_topic_has_an_english_title_and_main_answer():
    for topic_id in TOPICS:
        dutch, english = KNOWLEDGE.topic(topic_id), ENGLISH.topic(topic_id)
        assert english.title != dutch.title or topic_id == "privacy", topic_id
        assert english.default_answer.language == "en", topic_id
        assert "{" not in english.default_answer.text, topic_id


def test_a_translation_keeps_the_ids_source_owner_and_review_date_of_the_dutch_answer():
    for dutch in KNOWLEDGE.all_answers():
        english = ENGLISH.answer(dutch.ref)
        assert english is not None and english.ref == dutch.ref
        assert [s.url for s in english.sources] == [s.url for s in dutch.sources]
        assert (english.owner, english.last_reviewed, english.review_due) == (dutch.owner, dutch.last_reviewed, dutch.review_due)
        assert english.aspects == dutch.aspects and english.subject == dutch.subject


def test_every_sub_answer_is_translated():
    assert [a.ref for a in ENGLISH.all_answers() if a.language != "en"] == []


def edited_translation(tmp_path: Path, topic: str, edit) -> Path:
    """A copy of the knowledge base with one English file changed by `edit(raw)`; returns its folder."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "data" / "knowledge", knowledge)
    shutil.copy(ROOT / "data" / "dialogue.yml", tmp_path / "dialogue.yml")
    translation = knowledge / "en" / f"{topic}.yml"
    raw = yaml.safe_load(translation.read_text(encoding="utf-8"))
    edit(raw)
    translation.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return knowledge


def test_a_sub_answer_without_translation_is_given_in_dutch_and_says_so(tmp_path):
    # a new Dutch sub-answer the translator has not done yet
    knowledge = edited_translation(tmp_path, "reisdocument", lambda raw: raw["answers"].pop("geldigheid"))
    english = load_knowledge_base(knowledge, MUNICIPALITY).localised("en")
    answer = english.answer("reisdocument/geldigheid")
    dutch = KNOWLEDGE.answer("reisdocument/geldigheid")
    assert answer.language == "nl" and answer.text == f"I have this information only in Dutch for now: {dutch.text}"
    assert english.answer("reisdocument/kosten").language == "en"


def test_a_translation_of_an_unknown_sub_answer_is_refused(tmp_path):
    knowledge = edited_translation(tmp_path, "afval", lambda raw: raw["answers"].update(bestaat_niet={"text": "Nothing."}))
    with pytest.raises(ValueError, match="unknown answer id"):
        load_knowledge_base(knowledge, MUNICIPALITY)


def test_every_example_value_with_words_has_its_english_form():
    raw = yaml.safe_load((ROOT / "data" / "municipality.yml").read_text(encoding="utf-8"))
    english = raw["english"]["example_values"]
    with_words = {k for k, v in raw["example_values"].items() if re.search(r"[a-z]{3,}", str(v))}
    assert with_words - {"milieustraat_adres"} <= set(english)


def test_english_and_dutch_dialogue_texts_have_the_same_keys_and_placeholders():
    raw = yaml.safe_load((ROOT / "data" / "dialogue.yml").read_text(encoding="utf-8"))
    assert set(raw["texts"]) == set(raw["texts_en"])
    for key, text in raw["texts"].items():
        placeholders = set(re.findall(r"\{(\w+)\}", str(text)))
        assert placeholders == set(re.findall(r"\{(\w+)\}", str(raw["texts_en"][key]))), key
    assert all(a.get("label_en") and a.get("phrase_en") for a in raw["aspects"].values())


def test_english_topic_words_name_the_topic_in_either_language():
    assert KNOWLEDGE.topics_named("how much does a driving licence cost") == ["rijbewijs"]
    assert KNOWLEDGE.topics_named("I want to move house and I need a parking permit") == ["verhuizing", "parkeren"]
