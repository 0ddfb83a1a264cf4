"""`make run-prod` on the local PostgreSQL and a real Redis: two Rasa replicas and two governance workers.
Messages in and out are counted (nothing lost, nothing doubled) while Redis and the replicas fail. Redis is a
redis-server of the test's own where the binary is installed (so it can be stopped), else the machine's.
Skipped, with the reason, where PostgreSQL or Redis is absent."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.e2e.test_production_stores import ADMIN_URL, reachable
from tests.private_redis import AVAILABLE as PRIVATE_REDIS_AVAILABLE
from tests.private_redis import PrivateRedis

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"GATEWAY_PORT": "19100", "RASA_PORT": "16105", "ACTIONS_PORT": "16155"}
GATEWAY = f"http://127.0.0.1:{PORTS['GATEWAY_PORT']}"
QUESTIONS = ["wat kost een paspoort", "wanneer wordt het grofvuil opgehaald", "hoe vraag ik een parkeervergunning aan"]


@pytest.fixture(scope="module")
def scaled_stack(tmp_path_factory):
    if not reachable(5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432; make run-prod needs it")
    redis_server = PrivateRedis() if PRIVATE_REDIS_AVAILABLE else None
    if redis_server is None and not reachable(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379 and redis-server is not installed; make run-prod needs it")
    if redis_server is not None:
        redis_server.start()
    redis_port = str(redis_server.port if redis_server else 6379)
    suffix = uuid.uuid4().hex[:8]
    governance_db, tracker_db = f"ga_scale_{suffix}", f"ga_scale_tracker_{suffix}"
    var = tmp_path_factory.mktemp("scaled-stack")
    env = {
        **os.environ,
        **PORTS,
        "GA_VAR_DIR": str(var),
        "GOVERNANCE_DB": governance_db,
        "TRACKER_DB_NAME": tracker_db,
        "GOV_CHAT_STAFFED": "always",
        "REDIS_PORT": redis_port,  # Rasa's lock store
        "GOV_REDIS_URL": f"redis://127.0.0.1:{redis_port}/14",
        "GOV_RATE_LIMIT_IP_PER_MINUTE": "0",
        "GOV_RATE_LIMIT_STARTS_PER_MINUTE": "0",
    }
    result = subprocess.run(
        [str(ROOT / "scripts" / "run-prod.sh"), "--background"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=400
    )
    pids = [int(p) for p in (var / "stack.pids").read_text().split()] if (var / "stack.pids").exists() else []
    try:
        assert result.returncode == 0, result.stderr[-4000:]
        actions, rasa_a, rasa_b, governance = pids
        with httpx.Client(base_url=GATEWAY, timeout=60) as client:
            wait_until_both_replicas_answer(client)
            yield {"client": client, "rasa": [rasa_a, rasa_b], "db": governance_db, "env": env, "redis": redis_server}
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        time.sleep(2)
        if redis_server is not None:
            redis_server.stop()
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in (governance_db, tracker_db):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def wait_until_both_replicas_answer(client: httpx.Client) -> None:
    """/readyz is ready with one replica; the second loads its model a little later."""
    deadline = time.monotonic() + 120
    for port in (int(PORTS["RASA_PORT"]), int(PORTS["RASA_PORT"]) + 1):
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                    break
            time.sleep(1)


def conversation(client: httpx.Client, turns: int) -> list[dict]:
    created = client.post("/api/v1/conversations", json={}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    replies = []
    for question in QUESTIONS[:turns]:
        response = client.post(
            f"/api/v1/conversations/{created['conversation_id']}/messages", json={"text": question}, headers=headers
        )
        replies.append({"status": response.status_code, "body": response.json(), "conversation": created["conversation_id"]})
    return replies


def answered_in_parallel(client: httpx.Client, conversations: int, turns: int, workers: int) -> list[dict]:
    """Conversations side by side; every message answered by the assistant itself, none with an error."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = [r for batch in pool.map(lambda _: conversation(client, turns), range(conversations)) for r in batch]
    assert [r["status"] for r in results] == [200] * (conversations * turns)
    assert all(r["body"]["messages"][0]["explanation"].get("escalation_reason") != "bot_unavailable" for r in results)
    return results


def assert_told_and_offered_a_person(results: list[dict]) -> None:
    """The assistant could not answer: each citizen hears so at once, with the phone number and a person offered."""
    for r in results:
        assert r["status"] == 200
        told = r["body"]["messages"][0]
        assert told["explanation"]["escalation_reason"] == "bot_unavailable" and "14 0123" in told["text"]
        assert any(b["payload"] == "/accept_human" for m in r["body"]["messages"] for b in m["buttons"])


def circuits_open() -> float:
    """Rasa replicas whose breaker is not closed, the most over the workers (multiprocess mode `max`)."""
    for line in httpx.get(GATEWAY + "/metrics").text.splitlines():
        if line.startswith("ga_bot_circuit_open ") or line.startswith("ga_bot_circuit_open{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError("ga_bot_circuit_open is missing from /metrics")


def counts(database: str, conversations: set[str]) -> dict[str, int]:
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}")
    with engine.connect() as connection:
        rows = connection.execute(
            # the welcome is an assistant message without a decision: count answers (with an explanation)
            text(
                "SELECT conversation_id, CASE WHEN role = 'assistant' AND coalesce(explanation::text, 'null') = 'null'"
                " THEN 'welcome' ELSE role END,"
                " count(*) FROM message GROUP BY 1, 2"
            )
        ).all()
        decisions = connection.execute(
            text("SELECT conversation_id, count(*) FROM decision_record GROUP BY conversation_id")
        ).all()
        duplicates = connection.execute(
            text("SELECT count(*) FROM (SELECT conversation_id, seq FROM message GROUP BY 1, 2 HAVING count(*) > 1) d")
        ).scalar_one()
    engine.dispose()
    citizen = sum(n for c, role, n in rows if role == "citizen" and c in conversations)
    assistant = sum(n for c, role, n in rows if role == "assistant" and c in conversations)
    decided = sum(n for c, n in decisions if c in conversations)
    return {"citizen": citizen, "assistant": assistant, "decisions": decided, "duplicate_seq": duplicates}


def test_parallel_conversations_over_two_workers_and_two_replicas(scaled_stack):
    results = answered_in_parallel(scaled_stack["client"], conversations=30, turns=3, workers=12)
    found = counts(scaled_stack["db"], {r["conversation"] for r in results})
    assert found["citizen"] == 90 and found["duplicate_seq"] == 0  # nothing lost, nothing doubled
    assert found["decisions"] == found["assistant"] >= 90  # every answer has its decision record
    # every scrape, whichever worker answers it, shows the sum over both workers
    seen = {
        line
        for _ in range(6)
        for line in httpx.get(GATEWAY + "/metrics").text.splitlines()
        if line.startswith("ga_conversations_started_total")
    }
    assert len(seen) == 1


def agent_token(env: dict) -> str:
    database = f"postgresql://postgres@127.0.0.1:5432/{env['GOVERNANCE_DB']}"
    created = subprocess.run(
        [
            str(ROOT / ".venv-gov" / "bin" / "python"),
            "-m",
            "governance",
            "user",
            "add",
            "--name",
            "Schaal Agent",
            "--role",
            "agent",
        ],
        env={**env, "DATABASE_URL": database},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


def test_an_agent_reply_reaches_the_citizen_at_once_whichever_worker_holds_the_stream(scaled_stack):
    """Two workers: the reply is committed in one, the citizen's stream may be held by the other. Redis
    carries the wake-up; without it the stream would see the reply only at its next poll (2 s)."""
    import json
    import threading

    client = scaled_stack["client"]
    agent = {"Authorization": f"Bearer {agent_token(scaled_stack['env'])}"}
    delays = []
    for attempt in range(6):
        created = client.post("/api/v1/conversations", json={}).json()
        citizen = {"Authorization": f"Bearer {created['token']}"}
        url = f"/api/v1/conversations/{created['conversation_id']}"
        client.post(url + "/messages", json={"payload": "/medewerker"}, headers=citizen)
        assert client.post(url + "/messages", json={"payload": "/accept_human"}, headers=citizen).json()["state"] == "waiting"
        escalation = next(
            e["id"]
            for e in client.get("/api/v1/escalations", params={"state": "waiting"}, headers=agent).json()["items"]
            if e["conversation_id"] == created["conversation_id"]
        )
        assert client.post(f"/api/v1/escalations/{escalation}/claim", headers=agent).status_code == 200
        arrived = threading.Event()
        text_sent = f"Hallo, ik help je verder ({attempt})."

        def listen(url: str = url, citizen: dict = citizen, text_sent: str = text_sent, arrived=arrived) -> None:
            # a new connection: any worker may take it
            with httpx.Client(base_url=GATEWAY, timeout=30) as own, own.stream("GET", url + "/stream", headers=citizen) as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: ") and text_sent in json.loads(line[6:]).get("text", ""):
                        arrived.set()
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(1.0)  # the stream is open and has sent what was there
        sent = time.monotonic()
        assert (
            client.post(f"/api/v1/escalations/{escalation}/messages", json={"text": text_sent}, headers=agent).status_code == 201
        )
        assert arrived.wait(10)
        delays.append(time.monotonic() - sent)
        client.post(
            f"/api/v1/escalations/{escalation}/resolve", json={"outcome": "answered", "return_to_bot": False}, headers=agent
        )
    print(f"\nagent reply to citizen stream over 2 workers: max {max(delays) * 1000:.0f} ms")
    assert max(delays) < 1.5


def test_redis_gone_citizens_are_told_nothing_is_lost_and_answers_return_with_it(scaled_stack):
    """Redis carries Rasa's lock store: while it is away Rasa cannot take a conversation's lock and answers
    nothing. Citizens are told at once and offered a person, their questions are kept, no request fails; when
    Redis is back the assistant answers again (after the circuit breaker's trial), without a restart."""
    redis_server = scaled_stack["redis"]
    if redis_server is None:
        pytest.skip("redis-server is not installed: the stack uses the machine's shared Redis, which a test must not stop")
    client = scaled_stack["client"]
    redis_server.stop()
    try:
        results = [r for _ in range(4) for r in conversation(client, 2)]
    finally:
        redis_server.start()  # same port: everything reconnects by itself
        back = time.monotonic()
    assert len(results) == 8
    assert_told_and_offered_a_person(results)
    found = counts(scaled_stack["db"], {r["conversation"] for r in results})
    assert found["citizen"] == 8 and found["duplicate_seq"] == 0  # every question kept, once
    assert found["decisions"] == found["assistant"]  # every reply, even this one, has its decision record

    # An open breaker waits 30 s before its trial call. Each worker keeps a breaker per replica; the outage is
    # over for every citizen only when all of them have closed again (ga_bot_circuit_open: the most open in
    # any worker), not at the first answer, which one replica in one worker can give.
    deadline = time.monotonic() + 120
    first_answer = None
    while True:
        answer = conversation(client, 1)[0]
        assert answer["status"] == 200
        answered = answer["body"]["messages"][0]["explanation"].get("escalation_reason") != "bot_unavailable"
        if answered:
            assert answer["body"]["messages"][0]["explanation"]["topic"] == "reisdocument"
            first_answer = first_answer or time.monotonic()
            if circuits_open() == 0:
                break
        assert time.monotonic() < deadline, f"breakers still open {time.monotonic() - back:.0f} s after Redis came back"
        time.sleep(1)
    print(
        f"\nanswers again {first_answer - back:.0f} s after Redis came back; "
        f"every breaker closed after {time.monotonic() - back:.0f} s"
    )


def test_a_replica_gone_the_other_answers_every_conversation(scaled_stack):
    os.kill(scaled_stack["rasa"][0], signal.SIGTERM)
    time.sleep(2)
    results = answered_in_parallel(scaled_stack["client"], conversations=12, turns=2, workers=6)
    found = counts(scaled_stack["db"], {r["conversation"] for r in results})
    assert found["citizen"] == 24 and found["duplicate_seq"] == 0


def test_all_replicas_gone_citizens_are_told_at_once_and_offered_a_person(scaled_stack):
    os.kill(scaled_stack["rasa"][1], signal.SIGTERM)
    time.sleep(2)
    client = scaled_stack["client"]
    started = time.monotonic()
    results = [r for _ in range(4) for r in conversation(client, 1)]
    assert time.monotonic() - started < 10
    assert_told_and_offered_a_person(results)
    found = counts(scaled_stack["db"], {r["conversation"] for r in results})
    assert found["citizen"] == 4  # the questions are kept for the person who takes over
    metrics = httpx.get(GATEWAY + "/metrics").text
    assert "ga_bot_up 0.0" in metrics
