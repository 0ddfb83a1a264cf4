"""English as a second language inside the action server (issue 16): the same topics, sub-answers and
context, with the English texts, explanation and municipality facts."""

from __future__ import annotations

import asyncio

from actions.answer import ActionAnswerFromKnowledgeBase
from actions.clarify import ActionClarify
from actions.escalate import ActionHandleCrisis
from tests.actions.conftest import context_slots, sent, slot_values, tracker_for, user_event

ENGLISH = {"language": "en"}


def run(action, dispatcher, text, intent, confidence, *, metadata=ENGLISH, slots=None, ranking=None):
    tracker = tracker_for(user_event(text, intent, confidence, ranking=ranking, metadata=metadata), slots=slots)
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return sent(dispatcher), events


def test_an_english_question_gets_the_english_sub_answer_with_its_source(dispatcher):
    [message], events = run(ActionAnswerFromKnowledgeBase(), dispatcher, "how much does a passport cost", "reisdocument", 0.93)
    x = message["explanation"]
    assert x["answer_id"] == "reisdocument/kosten" and x["answer_language"] == "en"
    assert message["text"].startswith("A passport costs € 84,60")
    assert x["sources"][0]["title"] == "Costs of a passport and ID card"
    assert x["summary_nl"].startswith("I think your question is about 'Passport and ID card' (certainty 93%)")
    assert slot_values(events)["context_answer"] == "reisdocument/kosten"


def test_an_english_follow_up_uses_the_context_like_a_dutch_one(dispatcher):
    slots = context_slots("parkeren", "parkeren/vergunning")
    [message], _ = run(ActionAnswerFromKnowledgeBase(), dispatcher, "and how much is it", "vervolgvraag", 0.7, slots=slots)
    x = message["explanation"]
    assert x["topic"] == "parkeren" and x["topic_from_context"] is True and x["aspect"] == "kosten"
    assert "You just asked about parking" in x["summary_nl"]


def test_an_english_detail_comes_from_the_english_sub_answer(dispatcher):
    [message], _ = run(ActionAnswerFromKnowledgeBase(), dispatcher, "how long is a passport valid", "reisdocument", 0.9)
    x = message["explanation"]
    assert x["answer_id"] == "reisdocument/geldigheid" and x["answer_language"] == "en"
    assert message["text"].startswith("A passport or ID card is valid for 10 years")


def test_english_facts_of_the_municipality_are_in_english(dispatcher):
    [message], _ = run(ActionAnswerFromKnowledgeBase(), dispatcher, "parking permit", "parkeren", 0.9)
    assert "€ 95 per year" in message["text"] and "per jaar" not in message["text"]


def test_an_english_crisis_gets_the_help_numbers_in_english(dispatcher):
    [message], _ = run(ActionHandleCrisis(), dispatcher, "I want to end my life", "crisis", 0.9)
    for number in ("112", "0800-0113", "0800-2000"):
        assert number in message["text"]
    assert message["text"].startswith("I am sorry you are going through this")
    assert message["explanation"]["escalate"] is True


def test_an_unsure_english_question_is_asked_back_in_english(dispatcher):
    ranking = [("nlu_fallback", 0.45), ("afval", 0.3), ("parkeren", 0.2)]
    [message], _ = run(ActionClarify(), dispatcher, "the thing in front of my house", "nlu_fallback", 0.45, ranking=ranking)
    assert message["text"] == "I am not sure what you mean. Is your question about one of these topics?"
    assert [b["title"] for b in message["buttons"]][:2] == ["Waste", "Parking"]
    assert message["buttons"][-1]["title"] == "Something else"


def test_without_language_metadata_the_answer_stays_dutch(dispatcher):
    [message], _ = run(ActionAnswerFromKnowledgeBase(), dispatcher, "wat kost een paspoort", "reisdocument", 0.93, metadata={})
    assert message["text"].startswith("Een paspoort kost") and message["explanation"]["answer_language"] == "nl"
