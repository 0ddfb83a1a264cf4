"""Privacy by design through the API: personal data never stored, the citizen told once, call-back details
encrypted, the right to a copy and to erasure, and retention with a frozen clock."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from governance.conversation.models import Conversation
from governance.decision.models import DecisionRecord
from governance.handover.models import CallbackRequest
from governance.rights.retention import run_retention
from tests.governance.conftest import ROOT_DIR, TEST_KEY, WEEKEND_MOMENT, auth, say, start

BSN, IBAN, PHONE, EMAIL = "123456782", "NL91ABNA0417164300", "0612345678", "jan.jansen@example.nl"


def database_bytes(settings) -> bytes:
    path = Path(settings.database_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_personal_data_is_replaced_before_storing_and_before_rasa(client, bot, settings):
    conversation = start(client)
    body = say(client, conversation, text=f"mijn bsn is {BSN} en mijn iban {IBAN.lower()}")

    assert bot.sent[-1]["message"] == "mijn bsn is [BSN] en mijn iban [IBAN]"
    notice, reply = body["messages"]
    assert notice["role"] == "system" and "je BSN en een rekeningnummer" in notice["text"] and "niet bewaard" in notice["text"]
    assert reply["explanation"]["pii_redacted"] == ["bsn", "iban"]
    transcript = client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation)).json()
    assert "mijn bsn is [BSN] en mijn iban [IBAN]" in [m["text"] for m in transcript["messages"]]
    with client.app.state.runtime.session_factory() as session:
        record = session.scalars(select(DecisionRecord)).one()
    assert record.input_text_redacted == "mijn bsn is [BSN] en mijn iban [IBAN]" and record.pii_redacted == ["bsn", "iban"]
    stored = database_bytes(settings)
    assert BSN.encode() not in stored and b"0417164300" not in stored


def test_the_notice_comes_once_and_later_answers_stay_helpful(client):
    conversation = start(client)
    say(client, conversation, text=f"bel me op {PHONE}")
    body = say(client, conversation, text=f"mijn mail is {EMAIL}, wat kost een paspoort")
    assert [m["role"] for m in body["messages"]] == ["assistant"]
    assert body["messages"][0]["explanation"]["pii_redacted"] == ["email"]
    assert body["messages"][0]["explanation"]["topic"] == "reisdocument"


def test_a_message_without_personal_data_gets_no_notice(client):
    body = say(client, start(client), text="ordernummer 123456789 is niet aangekomen")
    assert [m["role"] for m in body["messages"]] == ["assistant"]
    assert body["messages"][0]["explanation"]["pii_redacted"] == []


def test_look_alike_digits_and_split_numbers_are_caught_through_the_api(client, bot):
    conversation = start(client)
    say(client, conversation, text="bsn １２３ ４５６ ７８２ of 123.456.782")
    assert bot.sent[-1]["message"] == "bsn [BSN] of [BSN]"


def test_staff_texts_are_screened_too(client, staff):
    conversation = start(client)
    say(client, conversation, text="ik wil een medewerker spreken")
    say(client, conversation, payload="/accept_human")
    say(client, conversation, text=f"mijn nummer is {PHONE}")
    headers = staff["agent"]["headers"]
    item = client.get("/api/v1/escalations", headers=headers).json()["items"][0]
    client.post(f"/api/v1/escalations/{item['id']}/claim", headers=headers)
    client.post(f"/api/v1/escalations/{item['id']}/messages", json={"text": f"Klopt {PHONE}?"}, headers=headers)
    client.post(f"/api/v1/escalations/{item['id']}/notes", json={"text": f"bsn {BSN} genoemd"}, headers=headers)
    detail = client.get(f"/api/v1/escalations/{item['id']}", headers=headers).json()
    texts = [m["text"] for m in detail["messages"]] + [n["text"] for n in detail["notes"]]
    assert "mijn nummer is [TELEFOON]" in texts and "Klopt [TELEFOON]?" in texts and "bsn [BSN] genoemd" in texts
    assert all(PHONE not in t and BSN not in t for t in texts)


def test_call_back_details_are_encrypted_shown_to_the_assignee_and_deleted_when_done(client, staff, clock, settings):
    clock.moment = WEEKEND_MOMENT
    conversation = start(client)
    request = {"name": "Jan Jansen", "phone": PHONE, "email": EMAIL, "question": f"over mijn aanslag, bsn {BSN}", "consent": True}
    url = f"/api/v1/conversations/{conversation['conversation_id']}/callback"
    assert client.post(url, json=request, headers=auth(conversation)).status_code == 201
    stored = database_bytes(settings)
    for value in ("Jan Jansen", PHONE, EMAIL, BSN):
        assert value.encode() not in stored, value

    headers = staff["agent"]["headers"]
    [item] = client.get("/api/v1/escalations", headers=headers).json()["items"]
    client.post(f"/api/v1/escalations/{item['id']}/claim", headers=headers)
    details = client.get(f"/api/v1/escalations/{item['id']}", headers=headers).json()["callback"]
    assert details["phone"] == PHONE and details["email"] == EMAIL and details["name"] == "Jan Jansen"
    assert details["question"] == "over mijn aanslag, bsn [BSN]"
    views = client.get("/api/v1/audit", params={"action": "callback.view"}, headers=staff["reviewer"]["headers"]).json()
    assert views["count"] == 1 and views["items"][0]["actor_id"] == staff["agent"]["id"]

    client.post(
        f"/api/v1/escalations/{item['id']}/resolve", json={"outcome": "callback_done", "return_to_bot": True}, headers=headers
    )
    with client.app.state.runtime.session_factory() as session:
        assert session.get(CallbackRequest, item["id"]) is None


# --- rights -------------------------------------------------------------------------------------------


def test_citizen_downloads_the_conversation_as_json_and_text(client):
    conversation = start(client)
    say(client, conversation, text="wat kost een paspoort")
    url = f"/api/v1/conversations/{conversation['conversation_id']}/export"
    as_json = client.get(url, headers=auth(conversation))
    assert as_json.status_code == 200 and "attachment" in as_json.headers["content-disposition"]
    body = as_json.json()
    assert [m["role"] for m in body["messages"]] == ["assistant", "citizen", "assistant"]
    assert body["messages"][2]["why"] and body["messages"][2]["sources"]
    as_text = client.get(url, params={"format": "text"}, headers=auth(conversation))
    assert as_text.headers["content-type"].startswith("text/plain")
    assert "Jij: wat kost een paspoort" in as_text.text and "Waarom dit antwoord?" in as_text.text
    assert client.get(url).status_code == 401
    assert client.get(url, params={"format": "pdf"}, headers=auth(conversation)).status_code == 422


def make_tracker(settings, sender_ids: list[str], timestamp: float) -> None:
    path = settings.tracker_store_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS events "
            "(id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, data TEXT)"
        )
        for sender in sender_ids:
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')", (sender, timestamp)
            )


def tracker_count(settings, sender_id: str) -> int:
    with sqlite3.connect(settings.tracker_store_url.removeprefix("sqlite:///")) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]


def test_citizen_erases_the_conversation(client, settings, staff):
    conversation = start(client)
    say(client, conversation, text="ik heb schulden")
    say(client, conversation, payload="/accept_human")
    with client.app.state.runtime.session_factory() as session:
        sender = session.get(Conversation, conversation["conversation_id"]).sender_id
    make_tracker(settings, [sender, "s_someone_else"], dt.datetime.now(dt.timezone.utc).timestamp())

    response = client.delete(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation))
    assert response.status_code == 204
    assert client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation)).status_code == 404
    assert tracker_count(settings, sender) == 0 and tracker_count(settings, "s_someone_else") == 1
    with client.app.state.runtime.session_factory() as session:
        records = session.scalars(select(DecisionRecord)).all()
    assert records and all(r.conversation_id is None and r.message_id is None for r in records)
    assert all(r.input_text_redacted == "[gewist]" for r in records) and records[0].topic == "schulden"
    # the waiting citizen disappears from the queue
    assert client.get("/api/v1/escalations", headers=staff["agent"]["headers"]).json()["count"] == 0
    assert (
        client.delete(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation)).status_code == 404
    )


def test_erasure_needs_the_conversation_token(client):
    conversation = start(client)
    other = start(client)
    assert client.delete(f"/api/v1/conversations/{conversation['conversation_id']}").status_code == 401
    assert client.delete(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(other)).status_code == 403
    assert client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation)).status_code == 200


def test_staff_erase_a_conversation_for_a_request_by_mail_audited(client, staff):
    conversation = start(client)
    say(client, conversation, text="wat kost een paspoort")
    url = f"/api/v1/admin/conversations/{conversation['conversation_id']}"
    assert client.post(url + "/erasure", json={"reason": "x"}, headers=staff["reviewer"]["headers"]).status_code == 422
    copy = client.get(url + "/export", params={"format": "text"}, headers=staff["reviewer"]["headers"])
    assert copy.status_code == 200 and "paspoort" in copy.text
    erased = client.post(
        url + "/erasure", json={"reason": "verzoek per brief, kenmerk 2026-0042"}, headers=staff["reviewer"]["headers"]
    )
    assert erased.status_code == 200 and erased.json()["messages"] == 3
    entries = client.get("/api/v1/audit", headers=staff["reviewer"]["headers"]).json()["items"]
    erase = next(e for e in entries if e["action"] == "conversation.erase")
    assert erase["detail"]["reason"] == "verzoek per brief, kenmerk 2026-0042" and erase["actor_id"] == staff["reviewer"]["id"]
    assert any(e["action"] == "conversation.export" for e in entries)


# --- retention ----------------------------------------------------------------------------------------


def test_retention_deletes_what_is_past_its_term_and_keeps_what_is_held(client, staff, settings, clock):
    runtime = client.app.state.runtime
    old = start(client)
    say(client, old, text="wat kost een paspoort")
    held = start(client)
    say(client, held, text="wat kost een paspoort")
    waiting = start(client)
    say(client, waiting, text="ik wil een medewerker spreken")
    say(client, waiting, payload="/accept_human")
    preserve = client.put(
        f"/api/v1/admin/conversations/{held['conversation_id']}/preserve",
        json={"preserve": True, "reason": "klacht in behandeling"},
        headers=staff["reviewer"]["headers"],
    )
    assert preserve.status_code == 200
    with runtime.session_factory() as session:
        old_sender = session.get(Conversation, old["conversation_id"]).sender_id
    now = dt.datetime.now(dt.timezone.utc)
    make_tracker(settings, [old_sender], now.timestamp())

    assert run_retention(runtime, now + dt.timedelta(days=29)).conversations == 0
    result = run_retention(runtime, now + dt.timedelta(days=31))
    assert result.conversations == 1 and result.tracker_events == 1
    assert client.get(f"/api/v1/conversations/{old['conversation_id']}", headers=auth(old)).status_code == 404
    assert client.get(f"/api/v1/conversations/{held['conversation_id']}", headers=auth(held)).status_code == 200
    assert client.get(f"/api/v1/conversations/{waiting['conversation_id']}", headers=auth(waiting)).status_code == 200

    decisions = run_retention(runtime, now + dt.timedelta(days=184))
    assert decisions.decision_records >= 1  # the old conversation's (unlinked) records
    with runtime.session_factory() as session:
        kept = session.scalars(select(DecisionRecord)).all()
    assert kept and all(r.conversation_id == held["conversation_id"] for r in kept)

    audit_run = run_retention(runtime, now + dt.timedelta(days=366))
    assert audit_run.audit_entries > 0
    verification = client.get("/api/v1/audit/verify", headers=staff["reviewer"]["headers"]).json()
    assert verification["valid"] is True
    assert any(
        e["action"] == "retention.run" for e in client.get("/api/v1/audit", headers=staff["reviewer"]["headers"]).json()["items"]
    )


def test_retention_terms_cannot_go_below_the_ai_act_minimum():
    from pydantic import ValidationError

    from governance.config import Settings

    with pytest.raises(ValidationError):
        Settings(retention_decision_days=30)


def test_retention_runs_as_a_command(settings):
    env = {"DATABASE_URL": settings.database_url, "GOV_ENCRYPTION_KEY": TEST_KEY, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "governance", "retention", "run"],
        cwd=ROOT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert '"conversations": 0' in result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE decision_record SET topic = 'afval'",
        "UPDATE decision_record SET confidence = 0.1",
        "UPDATE decision_record SET input_text_redacted = 'iets anders'",
        "UPDATE decision_record SET conversation_id = 'c_ander'",
    ],
)
def test_the_database_refuses_to_change_a_decision_record(client, settings, statement):
    from sqlalchemy import text

    from governance.db import make_engine

    say(client, start(client), text="wat kost een paspoort")
    engine = make_engine(settings.database_url)
    with pytest.raises(Exception, match="never updated"), engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


@pytest.mark.postgres
def test_decision_records_are_frozen_on_postgresql_too_but_erasure_works(postgres_database):
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from governance import migrations
    from governance.config import Settings
    from governance.db import make_engine
    from governance.main import create_app
    from tests.governance.conftest import FakeBot

    migrations.upgrade(postgres_database)
    settings = Settings(database_url=postgres_database, encryption_key=TEST_KEY, retention_interval_minutes=0)
    with TestClient(create_app(settings, bot=FakeBot())) as client:
        conversation = start(client)
        say(client, conversation, text=f"bsn {BSN} wat kost een paspoort")
        engine = make_engine(postgres_database)
        with pytest.raises(Exception, match="never updated"), engine.begin() as connection:
            connection.execute(text("UPDATE decision_record SET topic = 'afval'"))
        assert (
            client.delete(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation)).status_code
            == 204
        )
        with engine.connect() as connection:
            row = connection.execute(text("SELECT conversation_id, input_text_redacted, topic FROM decision_record")).one()
        engine.dispose()
    assert row == (None, "[gewist]", "reisdocument")
