"""The citizen API (contract section 2): what a citizen, the widget and other tools can rely on."""

from __future__ import annotations

from sqlalchemy import select

from governance.decision.models import DecisionRecord
from tests.governance.conftest import auth, post_message


def test_start_conversation_discloses_ai_and_how_to_reach_a_person(client):
    response = client.post("/api/v1/conversations", json={})

    assert response.status_code == 201
    assert response.headers["API-Version"] == "1.0.0"
    body = response.json()
    assert body["conversation_id"].startswith("c_") and body["token"] and body["state"] == "bot"
    first = body["messages"][0]
    assert first["role"] == "assistant" and first["explanation"] is None
    text = first["text"].lower()
    assert "digitale assistent" in text and "geen mens" in text
    assert "medewerker" in text and "14 0123" in text


def test_start_conversation_accepts_no_body_and_locale(client):
    assert client.post("/api/v1/conversations").status_code == 201
    assert client.post("/api/v1/conversations", json={"locale": "nl"}).status_code == 201


def test_answer_carries_complete_explanation_and_decision_is_stored_first(client, conversation, settings, bot):
    response = post_message(client, conversation, text="wat kost een paspoort")

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "bot"
    message = body["messages"][0]
    explanation = message["explanation"]
    assert explanation["decision_id"].startswith("d_")
    assert explanation["topic"] == "reisdocument"
    assert explanation["policy"] == "RulePolicy"
    assert explanation["model_version"] == "gemeente-assistent-test"
    assert explanation["sources"][0]["url"].startswith("https://")
    assert explanation["summary_nl"]

    from governance.db import make_engine, make_session_factory

    with make_session_factory(make_engine(settings.database_url))() as session:
        record = session.scalars(select(DecisionRecord)).one()
    assert record.decision_id == explanation["decision_id"]
    assert record.conversation_id == conversation["conversation_id"]
    assert record.message_id == message["id"]
    assert record.turn == 1 and record.topic == "reisdocument" and record.policy == "RulePolicy"
    assert record.input_text_redacted == "wat kost een paspoort"
    assert record.knowledge_version.startswith("kb-") and len(record.trace_id) == 32
    assert record.timestamp.tzinfo is not None


def test_rasa_gets_a_pseudonym_not_the_conversation_id(client, conversation, bot):
    post_message(client, conversation, text="afval")
    sender = bot.sent[-1]["sender_id"]
    assert sender.startswith("s_") and sender != conversation["conversation_id"]


def test_crisis_rule_overrides_the_model_and_is_recorded(client, conversation, bot):
    response = post_message(client, conversation, text="mijn partner slaat me")

    assert bot.sent[-1]["message"] == "/crisis"
    assert bot.sent[-1]["metadata"]["safety_rule"] == {"category": "crisis", "id": "domestic_violence"}
    explanation = response.json()["messages"][0]["explanation"]
    assert explanation["escalate"] is True and explanation["escalation_reason"] == "crisis"


def test_request_for_person_is_routed_by_rule(client, conversation, bot):
    response = post_message(client, conversation, text="ik wil een medewerker spreken")
    assert bot.sent[-1]["message"] == "/medewerker"
    explanation = response.json()["messages"][0]["explanation"]
    assert explanation["escalate"] is True and explanation["escalation_reason"] == "citizen_request"


def test_question_about_the_assistant_is_routed_to_the_honest_answer(client, conversation, bot):
    post_message(client, conversation, text="praat ik met een mens")
    assert bot.sent[-1]["message"] == "/bot_vraag"
    assert bot.sent[-1]["metadata"]["safety_rule"]["category"] == "bot_question"


def test_question_about_the_assistant_is_answered_without_escalation_when_the_bot_is_down(client, conversation, bot):
    bot.down = True
    response = post_message(client, conversation, text="Ben je een robot?")
    assert response.status_code == 200
    message = response.json()["messages"][0]
    assert "geen mens" in message["text"]
    assert message["explanation"]["escalate"] is False and message["explanation"]["topic"] == "bot_vraag"


def test_typed_slash_cannot_inject_an_intent(client, conversation, bot):
    post_message(client, conversation, text="/bijstand")
    assert bot.sent[-1]["message"] == "bijstand"


def test_button_payload_is_forwarded(client, conversation, bot):
    assert post_message(client, conversation, payload="/afval").status_code == 200
    assert bot.sent[-1]["message"] == "/afval"


def test_unknown_button_payload_is_refused(client, conversation):
    for payload in ("/restart", '/reisdocument{"x":1}', "afval", "/"):
        response = post_message(client, conversation, payload=payload)
        assert response.status_code == 422, payload
        assert response.json()["code"] == "unknown_button"


def test_empty_and_blank_text_get_422_in_dutch(client, conversation):
    for text in ("", "   \n\t ", "\u200b"):
        response = post_message(client, conversation, text=text)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["code"] == "empty_message" and "leeg" in body["detail"]
        assert {"type", "title", "status", "detail", "code"} <= body.keys()


def test_text_over_2000_characters_gets_413(client, conversation, bot):
    assert post_message(client, conversation, text="a" * 2000).status_code == 200
    response = post_message(client, conversation, text="a" * 2001)
    assert response.status_code == 413
    assert response.json()["code"] == "message_too_long"


def test_huge_body_is_refused_before_parsing(client, conversation):
    response = post_message(client, conversation, text="9" * 200_000)
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_text_and_payload_together_or_neither_get_422(client, conversation):
    assert post_message(client, conversation, text="afval", payload="/afval").status_code == 422
    assert post_message(client, conversation).status_code == 422


def test_wrong_types_and_unknown_fields_get_422(client, conversation):
    for body in ({"text": 123}, {"text": ["a"]}, {"text": None, "payload": None}, {"text": "a", "extra": 1}):
        response = post_message(client, conversation, **body)
        assert response.status_code == 422, body
        assert response.json()["title"] == "Bericht niet bruikbaar"


def test_malformed_json_gets_400(client, conversation):
    response = client.post(
        f"/api/v1/conversations/{conversation['conversation_id']}/messages",
        content=b'{"text": "afval"',
        headers={**auth(conversation), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_unknown_conversation_is_404(client, conversation):
    response = client.post("/api/v1/conversations/c_doesnotexist/messages", json={"text": "hoi"}, headers=auth(conversation))
    assert response.status_code == 404
    assert response.json()["code"] == "conversation_not_found"
    assert client.get("/api/v1/conversations/" + "x" * 500, headers=auth(conversation)).status_code == 404


def test_missing_token_is_401_and_wrong_token_is_403(client, conversation):
    url = f"/api/v1/conversations/{conversation['conversation_id']}/messages"
    assert client.post(url, json={"text": "hoi"}).status_code == 401
    assert client.post(url, json={"text": "hoi"}, headers={"Authorization": "Basic abc"}).status_code == 401
    response = client.post(url, json={"text": "hoi"}, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 403
    assert response.json()["code"] == "token_wrong"


def test_other_conversations_token_is_403(client, conversation):
    other = client.post("/api/v1/conversations", json={}).json()
    response = client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(other))
    assert response.status_code == 403


def test_html_is_stored_and_returned_as_plain_text(client, conversation):
    post_message(client, conversation, text="<script>alert(1)</script> <b>paspoort</b>")
    transcript = client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation)).json()
    assert transcript["messages"][1]["text"] == "<script>alert(1)</script> <b>paspoort</b>"


def test_bot_down_tells_the_citizen_offers_a_person_and_keeps_the_message(client, conversation, bot):
    bot.down = True
    response = post_message(client, conversation, text="wanneer wordt het afval opgehaald")

    assert response.status_code == 200
    told, offer = response.json()["messages"]
    assert "werkt nu even niet" in told["text"] and "14 0123" in told["text"] and "8.30" in told["text"]
    assert told["explanation"]["escalate"] is True and told["explanation"]["escalation_reason"] == "bot_unavailable"
    assert [b["payload"] for b in offer["buttons"]] == ["/accept_human", "/decline_human"]
    transcript = client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation)).json()
    assert [m["text"] for m in transcript["messages"] if m["role"] == "citizen"] == ["wanneer wordt het afval opgehaald"]
    assert transcript["state"] == "bot"
    # "ja" takes the citizen to the queue although the bot is still down
    accepted = post_message(client, conversation, payload="/accept_human")
    assert accepted.status_code == 200 and accepted.json()["state"] == "waiting"


def test_rasa_answering_nothing_counts_as_down(client, conversation, bot):
    bot.reply = []
    response = post_message(client, conversation, text="afval")
    assert response.status_code == 200
    assert response.json()["messages"][0]["explanation"]["escalation_reason"] == "bot_unavailable"


def test_crisis_is_answered_even_when_the_bot_is_down(client, conversation, bot):
    bot.down = True
    response = post_message(client, conversation, text="ik wil niet meer leven")

    assert response.status_code == 200
    message = response.json()["messages"][0]
    for number in ("112", "0800-0113", "0800-2000"):
        assert number in message["text"]
    assert message["explanation"]["escalate"] is True
    assert message["explanation"]["escalation_reason"] == "crisis"
    assert message["explanation"]["policy"] == "SafetyRuleLayer"


def test_transcript_lists_messages_in_order_with_state(client, conversation):
    post_message(client, conversation, text="afval")
    post_message(client, conversation, text="parkeren")
    transcript = client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation))
    assert transcript.status_code == 200
    body = transcript.json()
    assert body["state"] == "bot"
    assert [m["role"] for m in body["messages"]] == ["assistant", "citizen", "assistant", "citizen", "assistant"]
    assert body["queue_position"] is None


def test_problem_details_for_unknown_route_and_method(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert client.delete("/api/v1/conversations").status_code == 405
