"""What the gateway does for conversations (issue 14): aspect buttons, the dialogue fields in the decision
record, "no detail" turns in the review queue, and the context ending after a person helped."""

from __future__ import annotations

from tests.governance.conftest import custom_item, post_message, say, start
from tests.governance.test_handover import escalation_of, transcript, waiting_conversation


def with_dialogue(item: dict, **fields) -> dict:
    item["custom"]["explanation"].update(fields)
    return item


def test_an_aspect_button_is_forwarded_and_shown_by_its_label(client, conversation, bot):
    bot.reply = [
        custom_item(
            "reisdocument",
            "Ik weet niet precies wat je wilt weten.",
            buttons=[{"title": "Wat kost het?", "payload": '/reisdocument{"aspect":"kosten"}'}],
        )
    ]
    say(client, conversation, text="en hoe zit dat")
    bot.reply = None
    assert post_message(client, conversation, payload='/reisdocument{"aspect":"kosten"}').status_code == 200
    assert bot.sent[-1]["message"] == '/reisdocument{"aspect":"kosten"}'
    shown = client.get(
        f"/api/v1/conversations/{conversation['conversation_id']}", headers={"Authorization": f"Bearer {conversation['token']}"}
    ).json()["messages"]
    assert [m["text"] for m in shown if m["role"] == "citizen"][-1] == "Wat kost het?"


def test_an_aspect_button_with_an_unknown_aspect_or_topic_is_refused(client, conversation):
    for payload in ('/reisdocument{"aspect":"raket"}', '/greet{"aspect":"kosten"}', '/reisdocument{"aspect":"kosten","x":1}'):
        response = post_message(client, conversation, payload=payload)
        assert response.status_code == 422 and response.json()["code"] == "unknown_button", payload


def test_the_decision_record_keeps_context_topic_aspect_and_answer(client, conversation, bot, staff):
    bot.reply = [
        with_dialogue(
            custom_item("reisdocument", "Een paspoort kost € 84,60."),
            answer_id="reisdocument/kosten",
            context_topic="reisdocument",
            topic_from_context=True,
            aspect="kosten",
        )
    ]
    message = say(client, conversation, text="wat kost dat")["messages"][0]
    assert message["explanation"]["topic_from_context"] is True and message["explanation"]["answer_id"] == "reisdocument/kosten"
    [record] = client.get(
        "/api/v1/decisions", params={"conversationId": conversation["conversation_id"]}, headers=staff["reviewer"]["headers"]
    ).json()["items"]
    assert record["context_topic"] == "reisdocument" and record["topic_from_context"] is True
    assert record["aspect"] == "kosten" and record["answer_id"] == "reisdocument/kosten" and record["detail_missing"] is False
    csv = client.get("/api/v1/decisions", params={"format": "csv"}, headers=staff["reviewer"]["headers"]).text
    assert "context_topic" in csv.splitlines()[0] and "reisdocument/kosten" in csv


def test_a_missing_detail_enters_the_review_queue(client, conversation, bot, staff):
    bot.reply = [
        with_dialogue(
            custom_item("reisdocument", "Ik weet niet zeker of je het kunt laten bezorgen.", confidence=0.95),
            answer_id=None,
            aspect="bezorgen",
            detail_missing=True,
        )
    ]
    say(client, conversation, text="kan ik het laten bezorgen")
    items = client.get("/api/v1/review-items", headers=staff["reviewer"]["headers"]).json()["items"]
    assert [i["reasons"] for i in items if i["text"] == "kan ik het laten bezorgen"] == [["missing_detail"]]


def test_the_first_message_after_a_person_helped_tells_the_bot_the_context_is_gone(client, staff, bot):
    conversation = waiting_conversation(client)
    agent = staff["agent"]
    item = escalation_of(client, agent, conversation)
    client.post(f"/api/v1/escalations/{item['id']}/claim", headers=agent["headers"])
    client.post(
        f"/api/v1/escalations/{item['id']}/resolve", json={"outcome": "answered", "return_to_bot": True}, headers=agent["headers"]
    )
    assert transcript(client, conversation)["state"] == "bot"
    post_message(client, conversation, text="wat kost dat")
    assert bot.sent[-1]["metadata"].get("after_handover") is True
    post_message(client, conversation, text="en hoe lang duurt het")
    assert "after_handover" not in bot.sent[-1]["metadata"]


def test_an_ordinary_turn_does_not_say_after_handover(client, bot):
    conversation = start(client)
    say(client, conversation, text="ik wil een paspoort")
    say(client, conversation, text="wat kost dat")
    assert all("after_handover" not in sent["metadata"] for sent in bot.sent)
