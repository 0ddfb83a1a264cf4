"""The improvement loop: thumbs on answers, the review queue, labels, and four-eyes approval into data/nlu."""

from __future__ import annotations

import datetime as dt

import yaml

from tests.governance.conftest import auth, custom_item, say, start


def feedback(client, conversation, **body):
    return client.post(f"/api/v1/conversations/{conversation['conversation_id']}/feedback", json=body, headers=auth(conversation))


def answered(client, text="wat kost een paspoort") -> tuple[dict, dict]:
    conversation = start(client)
    reply = say(client, conversation, text=text)["messages"][-1]
    return conversation, reply


def test_citizen_rates_an_answer_and_can_change_their_mind(client):
    conversation, reply = answered(client)
    first = feedback(client, conversation, message_id=reply["id"], rating="up")
    assert first.status_code == 201 and first.json() == {"message_id": reply["id"], "rating": "up"}
    again = feedback(client, conversation, message_id=reply["id"], rating="down", comment="Klopt niet, bel me op 0612345678")
    assert again.status_code == 201 and again.json()["rating"] == "down"


def test_feedback_only_on_the_citizens_own_bot_answers(client):
    conversation, reply = answered(client)
    other, _ = answered(client)
    citizen_message = client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation)).json()[
        "messages"
    ][1]
    assert feedback(client, other, message_id=reply["id"], rating="up").status_code == 404
    assert feedback(client, conversation, message_id=citizen_message["id"], rating="up").status_code == 404
    assert feedback(client, conversation, message_id="m_bestaatniet", rating="up").status_code == 404
    assert feedback(client, conversation, message_id=reply["id"], rating="misschien").status_code == 422
    assert (
        client.post(
            f"/api/v1/conversations/{conversation['conversation_id']}/feedback", json={"message_id": reply["id"], "rating": "up"}
        ).status_code
        == 401
    )


def test_review_queue_holds_unsure_not_understood_and_disliked_turns(client, bot, staff):
    bot.reply = [custom_item("afval", "Over afval.", confidence=0.41)]
    answered(client, "container vol")
    bot.reply = [custom_item("out_of_scope", "Daar kan ik niet mee helpen.")]
    answered(client, "hoe laat gaat de bioscoop open")
    bot.reply = None
    disliked_conversation, disliked = answered(client, "wat kost een paspoort")
    feedback(client, disliked_conversation, message_id=disliked["id"], rating="down", comment="Te duur, mail jan@example.nl")
    answered(client, "hoe vraag ik een id kaart aan")  # confident and liked enough: not for review

    items = client.get("/api/v1/review-items", headers=staff["reviewer"]["headers"]).json()["items"]
    by_text = {i["text"]: i for i in items}
    assert set(by_text) == {"container vol", "hoe laat gaat de bioscoop open", "wat kost een paspoort"}
    assert by_text["container vol"]["reasons"] == ["low_confidence"]
    assert by_text["hoe laat gaat de bioscoop open"]["reasons"] == ["not_understood"]
    assert by_text["wat kost een paspoort"]["reasons"] == ["negative_feedback"]
    assert by_text["wat kost een paspoort"]["feedback_comment"] == "Te duur, mail [EMAIL]"


def test_a_label_needs_a_second_person_before_it_reaches_the_training_data(client, bot, staff, settings):
    bot.reply = [custom_item("out_of_scope", "Daar kan ik niet mee helpen.")]
    answered(client, "mijn container is niet geleegd [BSN]")
    item = client.get("/api/v1/review-items", headers=staff["reviewer"]["headers"]).json()["items"][0]

    proposal = client.post(
        f"/api/v1/review-items/{item['decision_id']}/label", json={"topic": "afval"}, headers=staff["reviewer"]["headers"]
    )
    assert proposal.status_code == 201 and proposal.json()["state"] == "proposed"
    assert client.get("/api/v1/review-items", headers=staff["reviewer"]["headers"]).json()["count"] == 0
    again = client.post(
        f"/api/v1/review-items/{item['decision_id']}/label", json={"topic": "afval"}, headers=staff["admin"]["headers"]
    )
    assert again.status_code == 409

    url = f"/api/v1/nlu-proposals/{proposal.json()['id']}"
    own = client.post(url + "/approve", headers=staff["reviewer"]["headers"])
    assert own.status_code == 409 and own.json()["code"] == "four_eyes"
    assert not settings.approved_nlu_file.exists()
    approved = client.post(url + "/approve", headers=staff["admin"]["headers"])
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert client.post(url + "/reject", headers=staff["admin"]["headers"]).status_code == 409

    data = yaml.safe_load(settings.approved_nlu_file.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    assert data["nlu"] == [{"intent": "afval", "examples": "- mijn container is niet geleegd [BSN]\n"}]
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=staff["reviewer"]["headers"]).json()["items"]]
    assert "review.label" in actions and "review.approve" in actions


def test_rejected_and_dismissed_turns_stay_out_of_the_training_data(client, bot, staff, settings):
    bot.reply = [custom_item("out_of_scope", "Daar kan ik niet mee helpen.")]
    answered(client, "asdf")
    answered(client, "bioscoop")
    first, second = client.get("/api/v1/review-items", headers=staff["reviewer"]["headers"]).json()["items"]
    dismissed = client.post(
        f"/api/v1/review-items/{first['decision_id']}/label", json={"topic": None}, headers=staff["reviewer"]["headers"]
    )
    assert dismissed.json()["state"] == "dismissed"
    proposed = client.post(
        f"/api/v1/review-items/{second['decision_id']}/label",
        json={"topic": "out_of_scope"},
        headers=staff["reviewer"]["headers"],
    )
    client.post(f"/api/v1/nlu-proposals/{proposed.json()['id']}/reject", headers=staff["admin"]["headers"])
    assert not settings.approved_nlu_file.exists()
    assert client.post(
        f"/api/v1/review-items/{second['decision_id']}/label", json={"topic": "geen_topic"}, headers=staff["admin"]["headers"]
    ).status_code in (409, 422)
    rejected = client.get("/api/v1/nlu-proposals", params={"state": "rejected"}, headers=staff["reviewer"]["headers"]).json()
    assert rejected["count"] == 1


def test_knowledge_texts_past_their_review_date_become_tasks(client, staff, clock):
    now = client.get("/api/v1/knowledge-reviews", headers=staff["reviewer"]["headers"]).json()
    clock.moment = dt.datetime(2030, 1, 1, 12, tzinfo=dt.timezone.utc)
    later = client.get("/api/v1/knowledge-reviews", headers=staff["reviewer"]["headers"]).json()
    assert later["count"] > now["count"] and all(t["overdue"] for t in later["items"])
    assert {"topic", "answer_id", "owner", "review_due"} <= set(later["items"][0])
