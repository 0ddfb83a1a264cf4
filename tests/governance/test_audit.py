"""The staff-action audit log: every staff action leaves a chained entry, and tampering is detected."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest
from sqlalchemy import text

from governance import migrations
from governance.audit import service as audit
from governance.db import make_engine, make_session_factory
from tests.governance.conftest import ROOT_DIR, TEST_ACTOR, auth


def verify(client, staff) -> dict:
    response = client.get("/api/v1/audit/verify", headers=staff["reviewer"]["headers"])
    assert response.status_code == 200
    return response.json()


def handle_one_conversation(client, staff) -> str:
    conversation = client.post("/api/v1/conversations", json={}).json()
    url = f"/api/v1/conversations/{conversation['conversation_id']}/messages"
    client.post(url, json={"text": "ik wil een medewerker spreken"}, headers=auth(conversation))
    client.post(url, json={"payload": "/accept_human"}, headers=auth(conversation))
    agent = staff["agent"]["headers"]
    escalation = client.get("/api/v1/escalations", headers=agent).json()["items"][0]["id"]
    client.post("/api/v1/staff-sessions", headers=agent)
    client.get(f"/api/v1/escalations/{escalation}", headers=agent)
    client.post(f"/api/v1/escalations/{escalation}/claim", headers=agent)
    client.post(f"/api/v1/escalations/{escalation}/messages", json={"text": "Hallo"}, headers=agent)
    client.post(f"/api/v1/escalations/{escalation}/resolve", json={"outcome": "answered", "return_to_bot": True}, headers=agent)
    client.put("/api/v1/admin/kill-switch", json={"enabled": True, "reason": "oefening"}, headers=staff["admin"]["headers"])
    return escalation


def test_every_staff_action_is_logged_with_actor_object_result_origin_and_time(client, staff):
    escalation = handle_one_conversation(client, staff)
    entries = client.get("/api/v1/audit", headers=staff["reviewer"]["headers"]).json()["items"]
    actions = [e["action"] for e in reversed(entries)]
    for expected in (
        "account.create",
        "login",
        "escalation.view",
        "escalation.claim",
        "escalation.message",
        "escalation.resolve",
        "kill_switch.enable",
        "audit.read",
    ):
        assert expected in actions, expected
    claim = next(e for e in entries if e["action"] == "escalation.claim")
    assert claim["actor_id"] == staff["agent"]["id"] and claim["actor_name"] == "Anna Agent"
    assert claim["object_type"] == "escalation" and claim["object_id"] == escalation
    assert claim["result"] == "success" and claim["origin"] == "testclient"
    assert claim["timestamp"].endswith("Z") or claim["timestamp"].endswith("+00:00")
    switch = next(e for e in entries if e["action"] == "kill_switch.enable")
    assert switch["detail"]["reason"] == "oefening"
    message = next(e for e in entries if e["action"] == "escalation.message")
    assert "Hallo" not in str(message["detail"])  # the log records that, not what
    # each entry holds the previous one's hash
    ordered = sorted(entries, key=lambda e: e["seq"])
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(ordered))
    result = verify(client, staff)
    assert result["valid"] is True and result["entries"] >= len(entries) and result["first_broken_seq"] is None


def tamper(database_url: str, statements: list[str]) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


SQLITE_UNLOCK = ["DROP TRIGGER audit_entry_no_update", "DROP TRIGGER audit_entry_no_delete"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("UPDATE audit_entry SET result = 'denied' WHERE seq = 3", "gewijzigd"),
        ("UPDATE audit_entry SET actor_name = 'iemand anders', hash = hash WHERE seq = 4", "gewijzigd"),
        ("DELETE FROM audit_entry WHERE seq = 2", "ontbreekt"),
        ("DELETE FROM audit_entry WHERE seq = (SELECT MAX(seq) FROM audit_entry)", "ontbreken"),
    ],
    ids=["edited result", "edited actor", "deleted middle", "deleted newest"],
)
def test_verify_detects_any_edited_or_deleted_entry(client, staff, settings, change, problem):
    handle_one_conversation(client, staff)
    assert verify(client, staff)["valid"] is True
    tamper(settings.database_url, [*SQLITE_UNLOCK, change])
    result = verify(client, staff)
    assert result["valid"] is False and problem in result["problem"]


def test_the_database_itself_refuses_to_change_the_log(client, staff, settings):
    handle_one_conversation(client, staff)
    for statement in ("UPDATE audit_entry SET result = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(Exception, match="append-only"):
            tamper(settings.database_url, [statement])
    assert verify(client, staff)["valid"] is True


@pytest.mark.postgres
def test_tamper_detection_on_postgresql(postgres_database):
    migrations.upgrade(postgres_database)
    factory = make_session_factory(make_engine(postgres_database))
    with factory() as session:
        for index in range(5):
            audit.record(session, TEST_ACTOR, "test.action", object_type="test", object_id=str(index))
        session.commit()
        assert audit.verify(session).valid
    with pytest.raises(Exception, match="append-only"):
        tamper(postgres_database, ["UPDATE audit_entry SET result = 'x' WHERE seq = 2"])
    tamper(
        postgres_database,
        [
            "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
            "UPDATE audit_entry SET object_id = '9' WHERE seq = 2",
        ],
    )
    with factory() as session:
        result = audit.verify(session)
    assert not result.valid and result.first_broken_seq == 2


def test_cli_verify_exits_non_zero_on_a_broken_chain(client, staff, settings):
    handle_one_conversation(client, staff)
    env = {"DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "governance", "audit", "verify"]
    assert subprocess.run(command, cwd=ROOT_DIR, env=env, capture_output=True, timeout=60).returncode == 0
    tamper(settings.database_url, [*SQLITE_UNLOCK, "UPDATE audit_entry SET origin = 'x' WHERE seq = 1"])
    assert subprocess.run(command, cwd=ROOT_DIR, env=env, capture_output=True, timeout=60).returncode == 1
