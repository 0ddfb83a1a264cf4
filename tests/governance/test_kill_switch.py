"""The kill switch (AI Act Art. 14): one action stops the bot in new and running conversations."""

from __future__ import annotations

from tests.governance.conftest import WEEKEND_MOMENT, say, start


def switch(client, staff, enabled: bool, reason: str = "Fout antwoord over bijstand gemeld"):
    return client.put("/api/v1/admin/kill-switch", json={"enabled": enabled, "reason": reason}, headers=staff["admin"]["headers"])


def test_switch_on_stops_the_bot_in_running_and_new_conversations(client, staff, bot):
    running = start(client)
    assert say(client, running, text="wat kost een paspoort")["messages"][0]["explanation"]["topic"] == "reisdocument"

    response = switch(client, staff, True)
    assert response.status_code == 200 and response.json()["enabled"] is True
    asked = len(bot.sent)

    body = say(client, running, text="wat kost een paspoort")
    reply, offer = body["messages"]
    assert "staat op dit moment uit" in reply["text"]
    assert reply["explanation"]["escalate"] is True and reply["explanation"]["escalation_reason"] == "kill_switch"
    assert reply["explanation"]["summary_nl"]
    assert offer["buttons"][0]["payload"] == "/accept_human"
    assert len(bot.sent) == asked  # Rasa was not asked

    new = client.post("/api/v1/conversations", json={}).json()
    assert "staat op dit moment uit" in new["messages"][0]["text"] and "14 0123" in new["messages"][0]["text"]
    say(client, new, text="hoi")
    assert say(client, new, payload="/accept_human")["state"] == "waiting"
    assert len(bot.sent) == asked


def test_crisis_still_gets_help_numbers_and_a_person_while_switched_off(client, staff, bot):
    switch(client, staff, True)
    conversation = start(client)
    body = say(client, conversation, text="mijn partner slaat me")
    reply = body["messages"][0]
    assert "0800-2000" in reply["text"] and reply["explanation"]["escalation_reason"] == "crisis"
    assert body["state"] == "waiting" and bot.sent == []


def test_declining_while_switched_off_gives_the_phone_number(client, staff, bot):
    switch(client, staff, True)
    conversation = start(client)
    say(client, conversation, text="hoi")
    body = say(client, conversation, payload="/decline_human")
    assert "14 0123" in body["messages"][0]["text"] and bot.sent == []


def test_switched_off_outside_office_hours_offers_contact_details(client, staff, clock):
    clock.moment = WEEKEND_MOMENT
    switch(client, staff, True)
    conversation = start(client)
    body = say(client, conversation, text="wanneer wordt het afval opgehaald")
    assert body["messages"][-1]["form"] == "callback" and "14 0123" in body["messages"][-1]["text"]


def test_switch_off_again_restores_the_bot(client, staff, bot):
    switch(client, staff, True)
    switch(client, staff, False, "Antwoord verbeterd en gecontroleerd")
    conversation = start(client)
    assert "staat op dit moment uit" not in conversation["messages"][0]["text"]
    assert say(client, conversation, text="wat kost een paspoort")["messages"][0]["explanation"]["topic"] == "reisdocument"


def test_switch_is_visible_on_readyz_and_in_the_console_session(client, staff):
    assert client.get("/readyz").json()["kill_switch"]["enabled"] is False
    switch(client, staff, True, "Storing in kennisbank")
    ready = client.get("/readyz")
    assert ready.status_code == 200  # people still help citizens: the service stays ready
    assert ready.json()["kill_switch"] == {
        "enabled": True,
        "reason": "Storing in kennisbank",
        "since": ready.json()["kill_switch"]["since"],
    }
    session = client.post("/api/v1/staff-sessions", headers=staff["agent"]["headers"]).json()
    assert session["kill_switch"]["enabled"] is True and session["kill_switch"]["reason"] == "Storing in kennisbank"


def test_every_change_is_audited_with_its_reason_and_needs_one(client, staff):
    switch(client, staff, True, "Oefening noodstop")
    switch(client, staff, False, "Oefening klaar")
    missing = client.put("/api/v1/admin/kill-switch", json={"enabled": True}, headers=staff["admin"]["headers"])
    assert missing.status_code == 422
    blank = client.put("/api/v1/admin/kill-switch", json={"enabled": True, "reason": "    "}, headers=staff["admin"]["headers"])
    assert blank.status_code == 422
    entries = client.get("/api/v1/audit", params={"action": "kill_switch.enable"}, headers=staff["admin"]["headers"]).json()
    assert [e["detail"]["reason"] for e in entries["items"]] == ["Oefening noodstop"]
    entries = client.get("/api/v1/audit", params={"action": "kill_switch.disable"}, headers=staff["admin"]["headers"]).json()
    assert entries["items"][0]["actor_id"] == staff["admin"]["id"]
