"""The production configuration: Rasa's tracker store in PostgreSQL with a Redis lock store, and the
governance database in PostgreSQL. Skipped, with the reason, where those local services are absent."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"GATEWAY_PORT": "19000", "RASA_PORT": "16005", "ACTIONS_PORT": "16055"}
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def reachable(port: int) -> bool:
    with contextlib.closing(socket.socket()) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def production_stack(tmp_path_factory):
    if not reachable(5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432; the production-store test needs it")
    if not reachable(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379; the production lock-store test needs it")
    suffix = uuid.uuid4().hex[:8]
    tracker_db, governance_db = f"ga_tracker_{suffix}", f"ga_gov_{suffix}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in (tracker_db, governance_db):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    var = tmp_path_factory.mktemp("prod-stack")
    env = {
        **os.environ,
        **PORTS,
        "GA_VAR_DIR": str(var),
        "RASA_ENDPOINTS": "bot/endpoints.production.yml",
        "TRACKER_HOST": "127.0.0.1",
        "TRACKER_PORT": "5432",
        "TRACKER_DB": tracker_db,
        "TRACKER_USER": "postgres",
        "TRACKER_PASSWORD": "",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{governance_db}",
    }
    result = subprocess.run(
        [str(ROOT / "scripts" / "stack.sh"), "--background"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=400
    )
    pids = [int(p) for p in (var / "stack.pids").read_text().split()] if (var / "stack.pids").exists() else []
    try:
        assert result.returncode == 0, result.stderr[-4000:]
        with httpx.Client(base_url=f"http://127.0.0.1:{PORTS['GATEWAY_PORT']}", timeout=30) as client:
            yield client, tracker_db, governance_db
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        with admin.connect() as connection:
            for name in (tracker_db, governance_db):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_conversation_is_stored_in_postgresql_under_a_pseudonym(production_stack):
    client, tracker_db, governance_db = production_stack
    assert client.get("/readyz").status_code == 200
    created = client.post("/api/v1/conversations", json={}).json()
    reply = client.post(
        f"/api/v1/conversations/{created['conversation_id']}/messages",
        json={"text": "wat kost een rijbewijs"},
        headers={"Authorization": f"Bearer {created['token']}"},
    )
    assert reply.status_code == 200
    explanation = reply.json()["messages"][0]["explanation"]
    assert explanation["topic"] == "rijbewijs" and explanation["policy"] == "RulePolicy"

    tracker = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{tracker_db}")
    with tracker.connect() as connection:
        senders = {row[0] for row in connection.execute(text("SELECT DISTINCT sender_id FROM events"))}
    tracker.dispose()
    assert len(senders) == 1
    (sender,) = senders
    assert sender.startswith("s_") and sender != created["conversation_id"]

    governance = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{governance_db}")
    with governance.connect() as connection:
        decision = connection.execute(text("SELECT topic, conversation_id FROM decision_record")).one()
    governance.dispose()
    assert decision == ("rijbewijs", created["conversation_id"])


def test_erasure_reaches_the_postgresql_tracker_store(production_stack):
    client, tracker_db, governance_db = production_stack
    created = client.post("/api/v1/conversations", json={}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    url = f"/api/v1/conversations/{created['conversation_id']}"
    assert (
        client.post(url + "/messages", json={"text": "wanneer wordt het grofvuil opgehaald"}, headers=headers).status_code == 200
    )

    tracker = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{tracker_db}")
    governance = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{governance_db}")
    with governance.connect() as connection:
        sender = connection.execute(
            text("SELECT sender_id FROM conversation WHERE id = :id"), {"id": created["conversation_id"]}
        ).scalar()
    with tracker.connect() as connection:
        before = connection.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    assert before > 0

    assert client.delete(url, headers=headers).status_code == 204
    with tracker.connect() as connection:
        after = connection.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
        others = connection.execute(text("SELECT COUNT(*) FROM events")).scalar()
    with governance.connect() as connection:
        linked = connection.execute(
            text("SELECT COUNT(*) FROM decision_record WHERE conversation_id = :id"), {"id": created["conversation_id"]}
        ).scalar()
    tracker.dispose()
    governance.dispose()
    assert after == 0 and others > 0  # only this conversation's tracker went, the other one stays
    assert linked == 0
    assert client.get(url, headers=headers).status_code == 404
