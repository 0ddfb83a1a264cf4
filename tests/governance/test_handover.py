"""Handover to a person, as the citizen and the contact-centre agent experience it (contract sections 2-3)."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.db import utc_now
from governance.handover.models import Escalation
from tests.governance.conftest import HOLIDAY_MOMENT, WEEKEND_MOMENT, auth, post_message, start


def transcript(client, conversation) -> dict:
    response = client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation))
    assert response.status_code == 200
    return response.json()


def queue(client, staff_account, state: str | None = None) -> list[dict]:
    params = {"state": state} if state else {}
    response = client.get("/api/v1/escalations", params=params, headers=staff_account["headers"])
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["items"])
    return body["items"]


def escalation_of(client, staff_account, conversation) -> dict:
    [item] = [i for i in queue(client, staff_account) if i["conversation_id"] == conversation["conversation_id"]]
    return item


def waiting_conversation(client) -> dict:
    conversation = start(client)
    post_message(client, conversation, text="ik wil een medewerker spreken")
    assert post_message(client, conversation, payload="/accept_human").json()["state"] == "waiting"
    return conversation


def test_request_for_a_person_asks_consent_first(client, staff):
    conversation = start(client)
    body = post_message(client, conversation, text="ik wil een medewerker spreken").json()

    reply, question = body["messages"]
    assert reply["explanation"]["escalate"] is True and reply["explanation"]["escalation_reason"] == "citizen_request"
    assert question["role"] == "system" and question["explanation"] is None
    assert question["text"] == "Wil je dat ik je doorverbind met een medewerker? Die kan dit gesprek lezen."
    assert [b["payload"] for b in question["buttons"]] == ["/accept_human", "/decline_human"]
    assert body["state"] == "bot"
    assert queue(client, staff["agent"]) == []  # nobody is queued without consent


def test_yes_puts_the_citizen_in_the_queue_with_position_and_wait(client, staff):
    conversation = start(client)
    post_message(client, conversation, text="ik wil een medewerker spreken")
    body = post_message(client, conversation, payload="/accept_human").json()

    assert body["state"] == "waiting"
    [queued] = body["messages"]
    assert queued["role"] == "system" and "nummer 1" in queued["text"] and "minuten" in queued["text"]
    assert [b["payload"] for b in queued["buttons"]] == ["/cancel_waiting"]
    item = escalation_of(client, staff["agent"], conversation)
    assert item["state"] == "waiting" and item["reason"] == "citizen_request" and item["kind"] == "chat"
    assert dt.datetime.fromisoformat(item["waiting_since"]).tzinfo is not None
    seen = transcript(client, conversation)
    assert seen["state"] == "waiting" and seen["queue_position"] == 1 and seen["expected_wait_seconds"] > 0


def test_typed_ja_after_the_question_counts_as_yes(client, staff):
    conversation = start(client)
    post_message(client, conversation, text="mag ik een mens spreken")
    assert post_message(client, conversation, text="Ja graag!").json()["state"] == "waiting"


@pytest.mark.parametrize("answer", [{"payload": "/decline_human"}, {"text": "nee dank je"}])
def test_no_keeps_the_bot_and_queues_nobody(client, staff, bot, answer):
    conversation = start(client)
    post_message(client, conversation, text="ik wil een medewerker spreken")
    body = post_message(client, conversation, **answer).json()

    assert body["state"] == "bot"
    assert bot.sent[-1]["message"] == "/decline_human"
    assert body["messages"][0]["explanation"]["action"] == "action_decline_human"
    assert queue(client, staff["agent"]) == []


def test_plain_ja_without_a_question_goes_to_the_bot(client, bot):
    conversation = start(client)
    body = post_message(client, conversation, text="ja").json()
    assert body["state"] == "bot" and bot.sent[-1]["message"] == "ja"


def test_crisis_goes_to_the_queue_at_once_and_first(client, staff):
    earlier = waiting_conversation(client)
    conversation = start(client)
    body = post_message(client, conversation, text="mijn partner slaat me").json()

    assert body["state"] == "waiting"  # no consent step
    reply = body["messages"][0]
    assert reply["explanation"]["escalation_reason"] == "crisis" and "112" in reply["text"]
    items = queue(client, staff["agent"], "waiting")
    assert [i["conversation_id"] for i in items] == [conversation["conversation_id"], earlier["conversation_id"]]
    assert items[0]["reason"] == "crisis"
    assert transcript(client, conversation)["queue_position"] == 1


def test_two_misses_offer_a_person(client):
    conversation = start(client)
    body = post_message(client, conversation, text="qqq www").json()
    assert body["messages"][0]["explanation"]["escalation_reason"] == "repeated_fallback"
    assert body["messages"][-1]["buttons"][0]["payload"] == "/accept_human"
    post_message(client, conversation, payload="/accept_human")
    assert transcript(client, conversation)["state"] == "waiting"


def test_personal_sensitive_question_is_answered_and_a_person_offered(client, staff):
    conversation = start(client)
    body = post_message(client, conversation, text="ik heb schulden").json()
    answer, offer = body["messages"]
    assert answer["explanation"]["topic"] == "schulden" and answer["explanation"]["escalation_reason"] == "sensitive_topic"
    assert offer["buttons"][0]["payload"] == "/accept_human" and body["state"] == "bot"
    post_message(client, conversation, payload="/accept_human")
    assert escalation_of(client, staff["agent"], conversation)["reason"] == "sensitive_topic"


def test_while_waiting_the_bot_is_silent_and_staff_see_the_message(client, staff, bot):
    conversation = waiting_conversation(client)
    asked = len(bot.sent)
    body = post_message(client, conversation, text="wat kost een paspoort").json()

    assert body["messages"] == [] and body["state"] == "waiting"
    assert len(bot.sent) == asked  # Rasa was not even asked
    item = escalation_of(client, staff["agent"], conversation)
    detail = client.get(f"/api/v1/escalations/{item['id']}", headers=staff["agent"]["headers"]).json()
    assert detail["messages"][-1]["text"] == "wat kost een paspoort"


def test_citizen_can_stop_waiting(client, staff):
    conversation = waiting_conversation(client)
    body = post_message(client, conversation, payload="/cancel_waiting").json()
    assert body["state"] == "bot" and "niet meer" in body["messages"][0]["text"]
    assert queue(client, staff["agent"]) == []
    assert queue(client, staff["agent"], "closed")[0]["outcome"] == "cancelled_by_citizen"


def test_crisis_while_waiting_moves_to_the_front_with_help_numbers(client, staff):
    first = waiting_conversation(client)
    second = waiting_conversation(client)
    body = post_message(client, second, text="ik wil niet meer leven").json()
    assert "0800-0113" in body["messages"][0]["text"] and body["state"] == "waiting"
    items = queue(client, staff["agent"], "waiting")
    assert [i["conversation_id"] for i in items] == [second["conversation_id"], first["conversation_id"]]


def test_agent_claims_talks_and_hands_back_to_the_bot(client, staff, bot):
    conversation = waiting_conversation(client)
    agent = staff["agent"]
    item = escalation_of(client, agent, conversation)

    claimed = client.post(f"/api/v1/escalations/{item['id']}/claim", headers=agent["headers"])
    assert claimed.status_code == 200 and claimed.json()["state"] == "human"
    assert claimed.json()["assignee"]["name"] == "Anna Agent"
    seen = transcript(client, conversation)
    assert seen["state"] == "human" and "medewerker" in seen["messages"][-1]["text"]

    reply = client.post(f"/api/v1/escalations/{item['id']}/messages", json={"text": "Hoi, ik help je."}, headers=agent["headers"])
    assert reply.status_code == 201
    last = transcript(client, conversation)["messages"][-1]
    assert last["role"] == "agent" and last["text"] == "Hoi, ik help je." and last["explanation"] is None

    asked = len(bot.sent)
    assert post_message(client, conversation, text="dank je, en nu?").json()["messages"] == []
    assert len(bot.sent) == asked

    resolved = client.post(
        f"/api/v1/escalations/{item['id']}/resolve", json={"outcome": "answered", "return_to_bot": True}, headers=agent["headers"]
    )
    assert resolved.status_code == 200 and resolved.json()["outcome"] == "answered"
    seen = transcript(client, conversation)
    assert seen["state"] == "bot" and "digitale assistent" in seen["messages"][-1]["text"]
    assert post_message(client, conversation, text="wat kost een paspoort").json()["messages"][0]["role"] == "assistant"


def test_resolve_and_close_ends_the_conversation(client, staff):
    conversation = waiting_conversation(client)
    agent = staff["agent"]
    item = escalation_of(client, agent, conversation)
    client.post(f"/api/v1/escalations/{item['id']}/claim", headers=agent["headers"])
    client.post(
        f"/api/v1/escalations/{item['id']}/resolve",
        json={"outcome": "referred", "return_to_bot": False},
        headers=agent["headers"],
    )

    assert transcript(client, conversation)["state"] == "closed"
    late = post_message(client, conversation, text="hallo?")
    assert late.status_code == 409 and late.json()["code"] == "conversation_closed"
    assert "nieuw gesprek" in late.json()["detail"]


def test_second_claim_gets_409(client, staff):
    conversation = waiting_conversation(client)
    item = escalation_of(client, staff["agent"], conversation)
    assert client.post(f"/api/v1/escalations/{item['id']}/claim", headers=staff["agent"]["headers"]).status_code == 200
    second = client.post(f"/api/v1/escalations/{item['id']}/claim", headers=staff["agent2"]["headers"])
    assert second.status_code == 409 and second.headers["content-type"].startswith("application/problem+json")


def test_only_the_assignee_may_reply_or_resolve(client, staff):
    conversation = waiting_conversation(client)
    item = escalation_of(client, staff["agent"], conversation)
    url = f"/api/v1/escalations/{item['id']}"
    assert client.post(url + "/messages", json={"text": "te vroeg"}, headers=staff["agent"]["headers"]).status_code == 409
    client.post(url + "/claim", headers=staff["agent"]["headers"])
    other = client.post(url + "/messages", json={"text": "ik ook"}, headers=staff["agent2"]["headers"])
    assert other.status_code == 409 and other.json()["code"] == "claimed_by_other"
    resolve = client.post(
        url + "/resolve", json={"outcome": "answered", "return_to_bot": True}, headers=staff["agent2"]["headers"]
    )
    assert resolve.status_code == 409


def test_transfer_back_to_the_queue_keeps_the_place(client, staff):
    conversation = waiting_conversation(client)
    item = escalation_of(client, staff["agent"], conversation)
    url = f"/api/v1/escalations/{item['id']}"
    client.post(url + "/claim", headers=staff["agent"]["headers"])
    moved = client.post(url + "/transfer", headers=staff["agent"]["headers"])
    assert moved.status_code == 200 and moved.json()["state"] == "waiting"
    assert moved.json()["waiting_since"] == item["waiting_since"]
    assert transcript(client, conversation)["state"] == "waiting"
    assert client.post(url + "/claim", headers=staff["agent2"]["headers"]).status_code == 200


def test_notes_are_for_staff_only(client, staff):
    conversation = waiting_conversation(client)
    item = escalation_of(client, staff["agent"], conversation)
    note = client.post(
        f"/api/v1/escalations/{item['id']}/notes", json={"text": "Terugbellen na 14 uur"}, headers=staff["agent"]["headers"]
    )
    assert note.status_code == 201
    detail = client.get(f"/api/v1/escalations/{item['id']}", headers=staff["agent"]["headers"]).json()
    assert [n["text"] for n in detail["notes"]] == ["Terugbellen na 14 uur"]
    assert all("Terugbellen" not in m["text"] for m in transcript(client, conversation)["messages"])


def test_staff_see_each_bot_decision_with_its_explanation(client, staff):
    conversation = start(client)
    post_message(client, conversation, text="ik heb schulden")
    post_message(client, conversation, payload="/accept_human")
    item = escalation_of(client, staff["agent"], conversation)
    detail = client.get(f"/api/v1/escalations/{item['id']}", headers=staff["agent"]["headers"]).json()
    explained = [m["explanation"] for m in detail["messages"] if m["explanation"]]
    assert explained and explained[0]["topic"] == "schulden"
    assert explained[0]["escalation_reason"] == "sensitive_topic" and explained[0]["sources"]
    assert explained[0]["confidence"] == pytest.approx(0.93)


def test_bad_staff_input_gets_clear_errors(client, staff):
    conversation = waiting_conversation(client)
    item = escalation_of(client, staff["agent"], conversation)
    url = f"/api/v1/escalations/{item['id']}"
    headers = staff["agent"]["headers"]
    assert client.post("/api/v1/escalations/e_bestaatniet/claim", headers=headers).status_code == 404
    assert client.post("/api/v1/escalations/" + "x" * 500 + "/claim", headers=headers).status_code == 404
    client.post(url + "/claim", headers=headers)
    assert client.post(url + "/messages", json={"text": "   "}, headers=headers).status_code == 422
    assert client.post(url + "/messages", json={"text": 5}, headers=headers).status_code == 422
    assert client.post(url + "/resolve", json={"outcome": "weet niet", "return_to_bot": True}, headers=headers).status_code == 422
    assert client.get("/api/v1/escalations", params={"state": "kapot"}, headers=headers).status_code == 422
    html = client.post(url + "/messages", json={"text": "<b>vet</b>"}, headers=headers)
    assert html.status_code == 201 and transcript(client, conversation)["messages"][-1]["text"] == "<b>vet</b>"


# --- office hours -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("moment", [WEEKEND_MOMENT, HOLIDAY_MOMENT], ids=["weekend", "holiday"])
def test_outside_office_hours_a_call_back_is_offered_instead_of_a_queue(client, staff, clock, moment):
    clock.moment = moment
    conversation = start(client)
    body = post_message(client, conversation, text="ik wil een medewerker spreken").json()
    offer = body["messages"][-1]
    assert offer["form"] == "callback" and offer["buttons"] == []
    assert "14 0123" in offer["text"] and "terugbellen" in offer["text"] and "112" in offer["text"]
    # A stale "yes" button does not create a queue nobody works on.
    assert post_message(client, conversation, payload="/accept_human").json()["state"] == "bot"
    assert queue(client, staff["agent"]) == []

    url = f"/api/v1/conversations/{conversation['conversation_id']}/callback"
    request = {"name": "Jan", "phone": "06-12345678", "question": "Over mijn aanslag", "consent": True}
    created = client.post(url, json=request, headers=auth(conversation))
    assert created.status_code == 201 and created.json()["state"] == "bot"
    [item] = queue(client, staff["agent"])
    assert item["kind"] == "callback" and item["state"] == "waiting" and item["reason"] == "citizen_request"


def test_crisis_outside_office_hours_gives_numbers_and_a_call_back(client, staff, clock):
    clock.moment = WEEKEND_MOMENT
    conversation = start(client)
    body = post_message(client, conversation, text="ik wil niet meer leven").json()
    assert "0800-0113" in body["messages"][0]["text"]
    assert body["messages"][-1]["form"] == "callback" and body["state"] == "bot"


def test_call_back_needs_consent_and_a_way_to_reach_the_citizen(client, clock):
    clock.moment = WEEKEND_MOMENT
    conversation = start(client)
    url = f"/api/v1/conversations/{conversation['conversation_id']}/callback"
    base = {"name": "Jan", "question": "Vraag", "consent": True}
    no_consent = client.post(url, json={**base, "phone": "0612345678", "consent": False}, headers=auth(conversation))
    assert no_consent.status_code == 422 and no_consent.json()["code"] == "consent_needed"
    for contact in ({}, {"phone": "abc"}, {"email": "geen-adres"}, {"phone": "12"}):
        bad = client.post(url, json={**base, **contact}, headers=auth(conversation))
        assert bad.status_code == 422 and bad.json()["code"] == "contact_needed", contact
    assert client.post(url, json={**base, "email": "jan@example.nl"}, headers=auth(conversation)).status_code == 201
    assert client.post(url, json={**base, "email": "jan@example.nl"}).status_code == 401


def test_call_back_during_office_hours_is_refused(client):
    conversation = start(client)
    url = f"/api/v1/conversations/{conversation['conversation_id']}/callback"
    body = {"name": "Jan", "phone": "0612345678", "question": "Vraag", "consent": True}
    response = client.post(url, json=body, headers=auth(conversation))
    assert response.status_code == 409 and response.json()["code"] == "callback_not_needed"


def test_call_back_details_are_shown_only_to_the_agent_who_claimed_it(client, staff, clock):
    clock.moment = WEEKEND_MOMENT
    conversation = start(client)
    url = f"/api/v1/conversations/{conversation['conversation_id']}/callback"
    body = {"name": "Jan", "phone": "0612345678", "question": "Vraag", "consent": True}
    client.post(url, json=body, headers=auth(conversation))
    [item] = queue(client, staff["agent"])
    detail_url = f"/api/v1/escalations/{item['id']}"
    assert client.get(detail_url, headers=staff["agent"]["headers"]).json()["callback"] is None
    client.post(detail_url + "/claim", headers=staff["agent"]["headers"])
    assert client.get(detail_url, headers=staff["agent"]["headers"]).json()["callback"]["phone"] == "0612345678"
    assert client.get(detail_url, headers=staff["agent2"]["headers"]).json()["callback"] is None
    resolved = client.post(
        detail_url + "/resolve", json={"outcome": "callback_done", "return_to_bot": True}, headers=staff["agent"]["headers"]
    )
    assert resolved.status_code == 200 and transcript(client, conversation)["state"] == "bot"


def test_always_staffed_setting_overrides_the_schedule(client, clock):
    clock.moment = WEEKEND_MOMENT
    client.app.state.runtime.settings.chat_staffed = "always"
    conversation = start(client)
    post_message(client, conversation, text="ik wil een medewerker spreken")
    assert post_message(client, conversation, payload="/accept_human").json()["state"] == "waiting"


# --- expected wait ----------------------------------------------------------------------------------------


def test_expected_wait_comes_from_recent_handling_times(client, staff):
    runtime = client.app.state.runtime
    now = utc_now()
    with runtime.session_factory() as session:
        for minutes in (4, 8, 10):  # median 8 minutes
            session.add(
                Escalation(
                    id=f"e_hist{minutes}",
                    kind="chat",
                    state="closed",
                    reason="citizen_request",
                    waiting_since=now - dt.timedelta(hours=2),
                    assignee_id=staff["agent"]["id"],
                    claimed_at=now - dt.timedelta(minutes=30 + minutes),
                    first_claimed_at=now - dt.timedelta(minutes=30 + minutes),
                    resolved_at=now - dt.timedelta(minutes=30),
                    outcome="answered",
                )
            )
        session.commit()
    waiting_conversation(client)
    second = waiting_conversation(client)
    seen = transcript(client, second)
    assert seen["queue_position"] == 2
    assert seen["expected_wait_seconds"] == 2 * 8 * 60  # position x median handling time / 1 active agent
    assert "16 minuten" in [m for m in seen["messages"] if m["role"] == "system"][-1]["text"]
