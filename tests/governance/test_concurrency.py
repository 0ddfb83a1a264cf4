"""Concurrent claims and messages through a real server, on SQLite and on PostgreSQL: one winner per claim,
no lost or doubled message, no 500, and states that agree with each other afterwards."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from governance import migrations
from governance.config import Settings
from governance.main import create_app
from tests.governance.conftest import OPEN_MOMENT, TEST_KEY, FrozenClock, LiveServer, make_account


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'concurrency.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    migrations.upgrade(url)
    return url


@pytest.fixture
def server(database_url, bot):
    settings = Settings(database_url=database_url, bot_secret="t", encryption_key=TEST_KEY, retention_interval_minutes=0)
    app = create_app(settings, bot=bot)
    app.state.runtime.clock = FrozenClock(OPEN_MOMENT)
    with LiveServer(app) as live:
        live.app = app
        yield live


def new_conversation(http: httpx.Client) -> tuple[str, dict[str, str]]:
    created = http.post("/api/v1/conversations", json={}).json()
    return created["conversation_id"], {"Authorization": f"Bearer {created['token']}"}


def queue_one(http: httpx.Client) -> tuple[str, dict[str, str]]:
    conversation_id, headers = new_conversation(http)
    url = f"/api/v1/conversations/{conversation_id}/messages"
    http.post(url, json={"text": "ik wil een medewerker spreken"}, headers=headers)
    assert http.post(url, json={"payload": "/accept_human"}, headers=headers).json()["state"] == "waiting"
    return conversation_id, headers


def test_parallel_claims_have_exactly_one_winner(server):
    agents = [make_account(server.app, "agent", f"Agent {i}") for i in range(8)]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        conversation_id, headers = queue_one(http)
        escalation = http.get("/api/v1/escalations", headers=agents[0]["headers"]).json()["items"][0]["id"]
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(
                pool.map(lambda a: http.post(f"/api/v1/escalations/{escalation}/claim", headers=a["headers"]).status_code, agents)
            )
        assert sorted(statuses) == [200] + [409] * 7
        detail = http.get(f"/api/v1/escalations/{escalation}", headers=agents[0]["headers"]).json()
        winner = agents[statuses.index(200)]["id"]
        assert detail["assignee"]["id"] == winner and detail["conversation_state"] == "human"
        joined = [m for m in detail["messages"] if "leest nu mee" in m["text"]]
        assert len(joined) == 1  # the citizen was told once, not eight times


def test_parallel_messages_are_all_kept_in_order_without_gaps(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        conversation_id, headers = new_conversation(http)
        texts = [f"vraag nummer {i}" for i in range(20)]
        with ThreadPoolExecutor(max_workers=10) as pool:
            statuses = list(
                pool.map(
                    lambda t: http.post(
                        f"/api/v1/conversations/{conversation_id}/messages", json={"text": t}, headers=headers
                    ).status_code,
                    texts,
                )
            )
        assert statuses == [200] * 20
        messages = http.get(f"/api/v1/conversations/{conversation_id}", headers=headers).json()["messages"]
        assert sorted(m["text"] for m in messages if m["role"] == "citizen") == sorted(texts)
        assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))
        assert len([m for m in messages if m["role"] == "assistant"]) == 1 + 20  # welcome + one answer each


def test_claim_racing_the_citizen_leaving_ends_consistent(server):
    agent = make_account(server.app, "agent", "Snelle Agent")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for _ in range(5):
            conversation_id, headers = queue_one(http)
            items = http.get("/api/v1/escalations", params={"state": "waiting"}, headers=agent["headers"]).json()["items"]
            escalation = next(i["id"] for i in items if i["conversation_id"] == conversation_id)
            with ThreadPoolExecutor(max_workers=2) as pool:
                claim = pool.submit(http.post, f"/api/v1/escalations/{escalation}/claim", headers=agent["headers"])
                leave = pool.submit(
                    http.post,
                    f"/api/v1/conversations/{conversation_id}/messages",
                    json={"payload": "/cancel_waiting"},
                    headers=headers,
                )
                claim_status, leave_status = claim.result().status_code, leave.result().status_code
            assert claim_status in (200, 409) and leave_status in (200, 409)
            state = http.get(f"/api/v1/conversations/{conversation_id}", headers=headers).json()["state"]
            detail = http.get(f"/api/v1/escalations/{escalation}", headers=agent["headers"]).json()
            if claim_status == 200:
                assert state == "human" and detail["state"] == "human"
            else:
                assert state == "bot" and detail["state"] == "closed"


def test_citizen_stream_delivers_queue_updates_and_the_agent_live(server):
    agent = make_account(server.app, "agent", "Live Agent")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        conversation_id, headers = queue_one(http)
        escalation = http.get("/api/v1/escalations", headers=agent["headers"]).json()["items"][0]["id"]
        events: list[tuple[str, dict]] = []
        with http.stream("GET", f"/api/v1/conversations/{conversation_id}/stream", headers=headers) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            name = None
            acted = False
            for line in lines:
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    events.append((name, json.loads(line[6:])))
                    if not acted and name == "state":
                        assert events[-1][1] == {"state": "waiting", "queue_position": 1, "expected_wait_seconds": 360}
                        acted = True
                        http.post(f"/api/v1/escalations/{escalation}/claim", headers=agent["headers"])
                        http.post(
                            f"/api/v1/escalations/{escalation}/messages", json={"text": "Ik ben er"}, headers=agent["headers"]
                        )
                    if name == "message" and events[-1][1]["role"] == "agent":
                        break
        texts = [data.get("text") for kind, data in events if kind == "message"]
        assert any("leest nu mee" in t for t in texts) and texts[-1] == "Ik ben er"
        assert ("state", {"state": "human", "queue_position": None, "expected_wait_seconds": None}) in events


def test_stream_resumes_after_last_event_id(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        conversation_id, headers = new_conversation(http)
        http.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": "paspoort"}, headers=headers)
        # the client saw message 1 (the welcome) only: it must get 2 and 3 on reconnect
        with http.stream(
            "GET", f"/api/v1/conversations/{conversation_id}/stream", headers={**headers, "Last-Event-ID": "1"}
        ) as stream:
            seqs = []
            for line in stream.iter_lines():
                if line.startswith("id: "):
                    seqs.append(int(line[4:]))
                if len(seqs) >= 3:
                    break
        assert seqs[:2] == [2, 3]
        unauthorised = http.get(f"/api/v1/conversations/{conversation_id}/stream")
        assert unauthorised.status_code == 401


def test_waiting_citizen_moves_up_live_when_someone_ahead_is_helped(server):
    agent = make_account(server.app, "agent", "Rij Agent")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        first, _ = queue_one(http)
        second, headers = queue_one(http)
        positions = []
        with http.stream("GET", f"/api/v1/conversations/{second}/stream", headers=headers) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data: "):
                    continue
                data = json.loads(line[6:])
                if "queue_position" not in data:
                    continue
                positions.append(data["queue_position"])
                if positions == [2]:
                    items = http.get("/api/v1/escalations", headers=agent["headers"]).json()["items"]
                    ahead = next(i["id"] for i in items if i["conversation_id"] == first)
                    assert http.post(f"/api/v1/escalations/{ahead}/claim", headers=agent["headers"]).status_code == 200
                if positions[-1] == 1:
                    break
        assert positions == [2, 1]


def test_many_citizens_at_once_get_no_server_error(server, bot):
    """New conversations (a sync route) racing messages (async): SQLite's lock must never stall the event loop."""
    bot.delay = 0.05  # Rasa's thinking time

    def citizen(index: int) -> list[int]:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            created = http.post("/api/v1/conversations", json={})
            statuses = [created.status_code]
            if created.status_code != 201:
                return statuses
            body = created.json()
            headers = {"Authorization": f"Bearer {body['token']}"}
            for turn in range(3):
                reply = http.post(
                    f"/api/v1/conversations/{body['conversation_id']}/messages",
                    json={"text": f"vraag {index}-{turn}"},
                    headers=headers,
                )
                statuses.append(reply.status_code)
            statuses.append(http.get(f"/api/v1/conversations/{body['conversation_id']}", headers=headers).status_code)
            return statuses

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(citizen, range(48)))
    assert all(statuses == [201, 200, 200, 200, 200] for statuses in results), [
        s for s in results if s != [201, 200, 200, 200, 200]
    ]
