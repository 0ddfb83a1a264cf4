"""Custom actions: curated answers with sources, explanations, clarifying questions, escalations."""

from __future__ import annotations

import asyncio

import pytest

from actions import config as action_config
from actions.answer import ActionAnswerFromKnowledgeBase
from actions.clarify import ActionClarify
from actions.escalate import ActionDeclineHuman, ActionHandleCrisis, ActionOfferHuman
from tests.actions.conftest import ROOT, bot_turn, sent, tracker_for, user_event

CONTRACT_FIELDS = {
    "decision_id",
    "topic",
    "intent",
    "confidence",
    "intent_ranking",
    "entities",
    "action",
    "policy",
    "sources",
    "escalate",
    "escalation_reason",
    "pii_redacted",
    "model_version",
    "summary_nl",
}


def run(action, dispatcher, tracker):
    return asyncio.run(action.run(dispatcher, tracker, {}))


def test_answer_picks_the_sub_answer_for_the_citizens_words(dispatcher):
    tracker = tracker_for(user_event("wat kost een paspoort", "reisdocument", 0.97))
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)

    [message] = sent(dispatcher)
    assert "€" in message["text"] and "paspoort" in message["text"].lower()
    explanation = message["explanation"]
    assert explanation.keys() >= CONTRACT_FIELDS
    assert explanation["topic"] == "reisdocument" and explanation["intent"] == "reisdocument"
    assert explanation["confidence"] == pytest.approx(0.97)
    assert explanation["answer_id"] == "reisdocument/kosten"
    assert explanation["matched_keywords"] == ["kost"]
    assert explanation["sources"][0]["url"].startswith("https://www.voorbeeldstad.example/")
    assert explanation["escalate"] is False and explanation["model_id"] == "model-123"
    assert "97%" in explanation["summary_nl"] and "kost" in explanation["summary_nl"]


def test_button_choice_uses_the_question_typed_before(dispatcher):
    history = [
        user_event("mijn pasje is weg", "nlu_fallback", 0.4, [("nlu_fallback", 0.55), ("reisdocument", 0.4)]),
        *bot_turn("action_clarify"),
    ]
    tracker = tracker_for(user_event("/reisdocument", "reisdocument", 1.0), history=history)
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)

    [message] = sent(dispatcher)
    assert message["explanation"]["answer_id"] == "reisdocument/kwijt"
    assert "knop" in message["explanation"]["summary_nl"]


def test_rule_routed_question_about_the_bot_gets_the_honest_main_answer(dispatcher):
    history = [
        user_event("hoe werkt het aanvragen van een paspoort", "reisdocument", 0.9),
        *bot_turn("action_answer_from_knowledge_base"),
    ]
    metadata = {"safety_rule": {"category": "bot_question", "id": "asks_if_human"}}
    tracker = tracker_for(user_event("/bot_vraag", "bot_vraag", 1.0, metadata=metadata), history=history)
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)

    [message] = sent(dispatcher)
    assert message["explanation"]["answer_id"] == "bot_vraag/robot"
    assert "geen mens" in message["text"]
    assert "vaste regel" in message["explanation"]["summary_nl"] and "knop" not in message["explanation"]["summary_nl"]


def test_eligibility_question_gets_information_and_route_not_a_verdict(dispatcher):
    tracker = tracker_for(user_event("krijg ik bijstand", "bijstand", 0.95))
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)

    text = sent(dispatcher)[0]["text"]
    assert not text.lower().startswith(("ja", "nee"))
    assert "aanvragen" in text and "medewerker" in text


def test_small_talk_is_answered_without_a_source_link(dispatcher):
    tracker = tracker_for(user_event("hallo", "greet", 0.99))
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)
    [message] = sent(dispatcher)
    assert message["text"].startswith("Hallo") and message["explanation"]["sources"] == []


def test_out_of_scope_gets_a_polite_dutch_answer(dispatcher):
    tracker = tracker_for(user_event("what is the weather", "out_of_scope", 0.9))
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)

    [message] = sent(dispatcher)
    assert message["text"].startswith("Sorry") and "Nederlands" in message["text"]
    assert message["explanation"]["topic"] == "out_of_scope" and message["explanation"]["escalate"] is False


def test_unrecognised_words_are_explained(dispatcher):
    event = user_event("fjdksl wpqo", "out_of_scope", 1.0)
    event["parse_data"]["unknown_words"] = {"known_share": 0.0, "words": 2}
    tracker = tracker_for(event)
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)
    explanation = sent(dispatcher)[0]["explanation"]
    assert explanation["unknown_words"] == {"known_share": 0.0, "words": 2}
    assert "herkende bijna geen woorden" in explanation["summary_nl"]


def test_clarify_offers_the_most_likely_topics_without_small_talk(dispatcher):
    ranking = [
        ("nlu_fallback", 0.55),
        ("afval", 0.4),
        ("greet", 0.2),
        ("melding_openbare_ruimte", 0.15),
        ("parkeren", 0.1),
        ("belastingen", 0.06),
    ]
    tracker = tracker_for(user_event("container", "nlu_fallback", 0.55, ranking))
    run(ActionClarify(), dispatcher, tracker)

    [message] = sent(dispatcher)
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads == ["/afval", "/melding_openbare_ruimte", "/parkeren", "/decline_human"]
    assert message["buttons"][0]["title"] == "Afval"
    explanation = message["explanation"]
    assert explanation["topic"] == "out_of_scope" and explanation["escalate"] is False
    assert "40%" in explanation["summary_nl"]


def test_clarify_always_offers_two_topics_even_when_both_are_unlikely(dispatcher):
    ranking = [("nlu_fallback", 0.45), ("goodbye", 0.9), ("afval", 0.03), ("parkeren", 0.02), ("wmo", 0.01)]
    tracker = tracker_for(user_event("hmm", "nlu_fallback", 0.45, ranking))
    run(ActionClarify(), dispatcher, tracker)
    payloads = [b["payload"] for b in sent(dispatcher)[0]["buttons"]]
    assert payloads == ["/afval", "/parkeren", "/decline_human"]


def test_second_miss_in_a_row_says_a_person_is_needed(dispatcher):
    history = [user_event("blabla", "nlu_fallback", 0.3, [("nlu_fallback", 0.55), ("afval", 0.3)]), *bot_turn("action_clarify")]
    tracker = tracker_for(user_event("qwerty", "nlu_fallback", 0.2, [("nlu_fallback", 0.55), ("parkeren", 0.2)]), history=history)
    run(ActionClarify(), dispatcher, tracker)

    [message] = sent(dispatcher)
    assert message["explanation"]["escalate"] is True
    assert message["explanation"]["escalation_reason"] == "repeated_fallback"
    # The consent question and its buttons come from the gateway, which knows the office hours.
    assert message["buttons"] == []
    assert "medewerker" in message["text"] and "14 0123" in message["text"]


def test_out_of_scope_after_a_clarification_also_counts_as_second_miss(dispatcher):
    history = [user_event("hmm", "nlu_fallback", 0.3, [("nlu_fallback", 0.55)]), *bot_turn("action_clarify")]
    tracker = tracker_for(user_event("hello?", "out_of_scope", 0.8), history=history)
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)
    assert sent(dispatcher)[0]["explanation"]["escalation_reason"] == "repeated_fallback"


def test_a_good_answer_in_between_resets_the_miss_count(dispatcher):
    history = [
        user_event("hmm", "nlu_fallback", 0.3, [("nlu_fallback", 0.55)]),
        *bot_turn("action_clarify"),
        user_event("afval", "afval", 0.99),
        *bot_turn("action_answer_from_knowledge_base"),
    ]
    tracker = tracker_for(user_event("blabla", "nlu_fallback", 0.3, [("nlu_fallback", 0.55), ("afval", 0.3)]), history=history)
    run(ActionClarify(), dispatcher, tracker)
    assert sent(dispatcher)[0]["explanation"]["escalate"] is False


def test_crisis_gives_all_help_numbers_and_escalates(dispatcher):
    tracker = tracker_for(
        user_event("/crisis", "crisis", 1.0, metadata={"safety_rule": {"category": "crisis", "id": "domestic_violence"}})
    )
    run(ActionHandleCrisis(), dispatcher, tracker)

    [message] = sent(dispatcher)
    for number in ("112", "0800-0113", "0800-2000"):
        assert number in message["text"]
    explanation = message["explanation"]
    assert explanation["escalate"] is True and explanation["escalation_reason"] == "crisis"
    assert explanation["safety_rule"] == {"category": "crisis", "id": "domestic_violence"}
    assert "veiligheidsregel" in explanation["summary_nl"]


def test_crisis_found_by_the_model_says_so(dispatcher):
    tracker = tracker_for(user_event("ik zie het echt niet meer zitten", "crisis", 0.88))
    run(ActionHandleCrisis(), dispatcher, tracker)
    assert "taalmodel" in sent(dispatcher)[0]["explanation"]["summary_nl"]


def test_request_for_a_person_escalates(dispatcher):
    tracker = tracker_for(user_event("mens", "medewerker", 0.9))
    run(ActionOfferHuman(), dispatcher, tracker)
    explanation = sent(dispatcher)[0]["explanation"]
    assert explanation["topic"] == "medewerker"
    assert explanation["escalate"] is True and explanation["escalation_reason"] == "citizen_request"


def test_button_for_a_person_is_explained_as_a_button(dispatcher):
    tracker = tracker_for(user_event("/medewerker", "medewerker", 1.0))
    run(ActionOfferHuman(), dispatcher, tracker)
    summary = sent(dispatcher)[0]["explanation"]["summary_nl"]
    assert "knop" in summary and "taalmodel" not in summary


def test_declining_a_person_invites_a_rephrase(dispatcher):
    tracker = tracker_for(user_event("/decline_human", "decline_human", 1.0))
    run(ActionDeclineHuman(), dispatcher, tracker)
    [message] = sent(dispatcher)
    assert message["explanation"]["escalate"] is False and "andere manier" in message["text"]


def test_a_failing_action_still_answers_politely_with_contact_details(dispatcher, monkeypatch):
    def broken():
        raise OSError("knowledge base unreadable")

    monkeypatch.setattr("actions.turn.get_knowledge_base", broken)
    tracker = tracker_for(user_event("afval", "afval", 0.99))
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)

    [message] = sent(dispatcher)
    assert "ging iets mis" in message["text"] and "14 0123" in message["text"]
    assert message["explanation"]["topic"] == "out_of_scope"


def test_every_domain_action_is_implemented_and_every_intent_has_a_rule():
    from rasa.shared.core.domain import Domain
    from rasa_sdk.executor import ActionExecutor

    domain = Domain.load(str(ROOT / "bot" / "domain"))
    executor = ActionExecutor()
    executor.register_package("actions")
    custom = {a for a in domain.user_actions if a.startswith("action_")}
    assert custom <= set(executor.actions)

    import yaml

    ruled = set()
    for name in ("rules.yml", "rules_answers.yml"):
        for rule in yaml.safe_load((ROOT / "bot" / name).read_text())["rules"]:
            ruled |= {step["intent"] for step in rule["steps"] if "intent" in step}
    from rasa.shared.core.constants import DEFAULT_INTENTS

    # Rasa's own intents (restart, back, session_start) are never reachable: the gateway refuses them.
    assert set(domain.intents) - set(DEFAULT_INTENTS) <= ruled


def test_settings_are_read_lazily(monkeypatch):
    action_config.get_settings.cache_clear()
    monkeypatch.setenv("ACTIONS_MISSES_BEFORE_HUMAN", "3")
    try:
        assert action_config.get_settings().misses_before_human == 3
    finally:
        action_config.get_settings.cache_clear()


def test_personal_question_on_a_sensitive_topic_answers_and_offers_a_person(dispatcher):
    tracker = tracker_for(user_event("ik heb grote schulden en weet niet wat ik moet doen", "schulden", 0.95))
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)
    [message] = sent(dispatcher)
    explanation = message["explanation"]
    assert explanation["topic"] == "schulden" and explanation["sources"]
    assert explanation["escalate"] is True and explanation["escalation_reason"] == "sensitive_topic"
    assert "eigen situatie" in explanation["summary_nl"]


def test_general_question_on_a_sensitive_topic_is_only_answered(dispatcher):
    tracker = tracker_for(user_event("wat is schuldhulpverlening", "schulden", 0.95))
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)
    assert sent(dispatcher)[0]["explanation"]["escalate"] is False


def test_personal_question_on_an_ordinary_topic_is_not_escalated(dispatcher):
    tracker = tracker_for(user_event("ik ben mijn paspoort kwijt", "reisdocument", 0.95))
    run(ActionAnswerFromKnowledgeBase(), dispatcher, tracker)
    assert sent(dispatcher)[0]["explanation"]["escalate"] is False
