"""The service as a real process in front of a slow stand-in for Rasa: a graceful stop lets the turn in
flight finish; a worker killed mid-turn leaves the citizen's words stored, and the widget's retry (same
Idempotency-Key) has the turn answered once — never twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlalchemy import create_engine, text

from governance.config import PROJECT_ROOT
from tests.governance.conftest import TEST_KEY, free_port
from tests.loopback import LoopbackServer, QuietHandler

EXPLANATION = {
    "topic": "reisdocument",
    "intent": "reisdocument",
    "confidence": 0.9,
    "action": "action_answer_from_knowledge_base",
    "sources": [],
    "escalate": False,
    "escalation_reason": None,
    "summary_nl": "Uitleg.",
}
ANSWER = {
    "recipient_id": "x",
    "custom": {"text": "Een paspoort vraag je aan bij de gemeente.", "buttons": [], "explanation": EXPLANATION},
}


class SlowRasa:
    def __init__(self, seconds: float) -> None:
        self.received: list[str] = []
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                fake.received.append(self.read_json()["message"])
                time.sleep(seconds)
                self.send_json(200, [ANSWER])

            def do_GET(self) -> None:
                self.send_json(200, {"model_file": "models/gemeente-assistent-test.tar.gz", "events": []})

        self.server = LoopbackServer(Handler)


@pytest.fixture
def service(tmp_path):
    rasa = SlowRasa(seconds=2.0)
    port = free_port()
    env = {
        **os.environ,
        "GOV_DATABASE_URL": f"sqlite:///{tmp_path / 'governance.db'}",
        "GOV_ENCRYPTION_KEY": TEST_KEY,
        "GOV_PORT": str(port),
        "GOV_RASA_URL": rasa.server.url,
        # a restart loads the PII screen's lookup lists (several seconds): the window in which a cut-off turn
        # might still be running (time-out + 5 s) must outlast it
        "GOV_RASA_TIMEOUT_SECONDS": "40",
        "GOV_RETENTION_INTERVAL_MINUTES": "0",
        "GOV_SPOOL_DIR": str(tmp_path / "spool"),
    }
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "governance", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "the service did not start"
            time.sleep(0.2)

    yield {"start": start, "url": f"http://127.0.0.1:{port}", "rasa": rasa, "db": tmp_path / "governance.db"}
    for process in processes:
        if process.poll() is None:
            process.kill()
    rasa.server.close()


def new_conversation(url: str) -> tuple[str, dict[str, str]]:
    created = httpx.post(f"{url}/api/v1/conversations", json={}).json()
    return created["conversation_id"], {"Authorization": f"Bearer {created['token']}"}


def in_background(call) -> dict:
    result: dict = {}

    def run() -> None:
        try:
            result["response"] = call()
        except httpx.HTTPError as exc:
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    result["thread"] = thread
    return result


def test_a_graceful_stop_lets_the_turn_in_flight_finish(service):
    process = service["start"]()
    conversation_id, headers = new_conversation(service["url"])
    pending = in_background(
        lambda: httpx.post(
            f"{service['url']}/api/v1/conversations/{conversation_id}/messages",
            json={"text": "wat kost een paspoort"},
            headers=headers,
            timeout=30,
        )  # fmt: skip
    )
    time.sleep(0.7)  # Rasa is working on it
    process.send_signal(signal.SIGTERM)
    pending["thread"].join(30)
    assert pending["response"].status_code == 200
    assert pending["response"].json()["messages"][0]["text"].startswith("Een paspoort")
    # then it stops by itself (uvicorn re-raises the signal after its graceful shutdown: -15)
    assert process.wait(30) in (0, -signal.SIGTERM)


def test_a_worker_killed_mid_turn_is_answered_once_after_the_retry(service):
    process = service["start"]()
    conversation_id, headers = new_conversation(service["url"])
    retry_headers = {**headers, "Idempotency-Key": "widget-key-000123"}
    url = f"{service['url']}/api/v1/conversations/{conversation_id}/messages"
    pending = in_background(lambda: httpx.post(url, json={"text": "wat kost een paspoort"}, headers=retry_headers, timeout=30))
    time.sleep(0.7)
    process.send_signal(signal.SIGKILL)  # the worker dies while Rasa answers
    killed_at = time.monotonic()
    pending["thread"].join(30)
    assert "error" in pending  # the widget saw the connection drop

    service["start"]()
    busy = httpx.post(url, json={"text": "wat kost een paspoort"}, headers=retry_headers, timeout=30)
    assert busy.status_code == 409  # at once: the first attempt might still be running somewhere
    time.sleep(max(0.0, killed_at + 45.5 - time.monotonic()))  # past the Rasa time-out + 5 s
    retried = httpx.post(url, json={"text": "wat kost een paspoort"}, headers=retry_headers, timeout=30)
    assert retried.status_code == 200 and retried.json()["messages"][0]["text"].startswith("Een paspoort")
    again = httpx.post(url, json={"text": "wat kost een paspoort"}, headers=retry_headers, timeout=30)
    assert [m["id"] for m in again.json()["messages"]] == [m["id"] for m in retried.json()["messages"]]

    engine = create_engine(f"sqlite:///{service['db']}")
    with engine.connect() as connection:
        citizen = connection.execute(
            text("SELECT count(*) FROM message WHERE conversation_id = :c AND role = 'citizen'"), {"c": conversation_id}
        ).scalar_one()
        decisions = connection.execute(
            text("SELECT count(*) FROM decision_record WHERE conversation_id = :c"), {"c": conversation_id}
        ).scalar_one()
    engine.dispose()
    assert (citizen, decisions) == (1, 1)
    assert len(service["rasa"].received) == 2  # asked once before the kill, once for the retry
