"""Fixtures for the governance service: a real app on a temporary SQLite database, with a fake Rasa."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from governance import migrations
from governance.audit.service import Actor
from governance.config import Settings
from governance.main import create_app
from governance.rasa_client import ActionTrace, BotUnavailable, ModelStatus
from governance.serving import uvicorn_options
from governance.staff import service as staff_service

TEST_KEY = Fernet.generate_key().decode()
ROOT_DIR = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
AMSTERDAM = dt.timezone(dt.timedelta(hours=1))  # winter time, for readable test moments
# The first Tuesday, Wednesday or Thursday after today, 10:00 in Voorbeeldstad: the contact centre is open.
# Relative to today (never more than 5 days ahead), so that what the tests store at the real time lies in the
# week before this moment; a fixed date made the weekly figures fail once the real date passed it.
_TODAY = dt.datetime.now(AMSTERDAM).date()
_NEXT_WORKDAY = next(_TODAY + dt.timedelta(days=n) for n in range(1, 8) if (_TODAY + dt.timedelta(days=n)).weekday() in (1, 2, 3))
OPEN_MOMENT = dt.datetime.combine(_NEXT_WORKDAY, dt.time(10, 0), tzinfo=AMSTERDAM)
# Saturday 5 December 2026, 10:00: closed. Friday 25 December 2026 10:00: a holiday.
WEEKEND_MOMENT = dt.datetime(2026, 12, 5, 10, 0, tzinfo=AMSTERDAM)
HOLIDAY_MOMENT = dt.datetime(2026, 12, 25, 10, 0, tzinfo=AMSTERDAM)


def custom_item(
    topic: str,
    text: str,
    *,
    action: str = "action_answer_from_knowledge_base",
    escalate: bool = False,
    reason: str | None = None,
    buttons: list[dict[str, str]] | None = None,
    confidence: float = 0.93,
) -> dict[str, Any]:
    """The REST item our actions produce: one `custom` payload with text, buttons and explanation."""
    return {
        "recipient_id": "x",
        "custom": {
            "text": text,
            "buttons": buttons or [],
            "explanation": {
                "decision_id": None,
                "topic": topic,
                "intent": topic,
                "confidence": confidence,
                "intent_ranking": [{"name": topic, "confidence": confidence}],
                "entities": [],
                "action": action,
                "policy": None,
                "sources": [{"title": "Bron", "url": "https://www.voorbeeldstad.example/x"}],
                "escalate": escalate,
                "escalation_reason": reason,
                "pii_redacted": [],
                "model_version": None,
                "summary_nl": f"Ik denk dat je vraag over {topic} gaat.",
            },
        },
    }


class FakeBot:
    """Stands in for Rasa and the action server; records what the gateway sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.down = False
        self.model_loaded = True
        self.actions_up = True
        self.reply: list[dict[str, Any]] | None = None
        self.delay = 0.0
        self.while_answering: Any = None  # a fault to inject while "Rasa" works on the message

    async def send(self, *, sender_id: str, message: str, metadata: dict) -> list[dict]:
        self.sent.append({"sender_id": sender_id, "message": message, "metadata": metadata})
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.while_answering is not None:
            self.while_answering()
        if self.down:
            raise BotUnavailable("connection refused")
        if self.reply is not None:
            return self.reply
        if message == "/crisis":
            return [
                custom_item(
                    "crisis",
                    "Bel 112, 113 (0800-0113) of Veilig Thuis (0800-2000).",
                    action="action_handle_crisis",
                    escalate=True,
                    reason="crisis",
                )
            ]
        if message == "/medewerker":
            return [
                custom_item("medewerker", "Ik zet je door.", action="action_offer_human", escalate=True, reason="citizen_request")
            ]
        if message == "/decline_human":
            return [custom_item("out_of_scope", "Prima. Stel je vraag anders.", action="action_decline_human")]
        if "schulden" in message:
            return [custom_item("schulden", "Schuldhulp vraag je aan bij de gemeente.", escalate=True, reason="sensitive_topic")]
        if message.startswith("qqq"):
            return [custom_item("out_of_scope", "Ik begrijp je niet.", escalate=True, reason="repeated_fallback")]
        return [custom_item("reisdocument", "Een paspoort vraag je aan bij de gemeente.")]

    async def actions_since_last_user_message(self, sender_id: str) -> list[ActionTrace]:
        return [
            ActionTrace("action_answer_from_knowledge_base", "RulePolicy", 1.0),
            ActionTrace("action_handle_crisis", "RulePolicy", 1.0),
            ActionTrace("action_offer_human", "RulePolicy", 1.0),
        ]

    async def model_status(self, *, allow_stale: bool = False) -> ModelStatus:
        return ModelStatus(loaded=self.model_loaded, model_version="gemeente-assistent-test" if self.model_loaded else None)

    async def action_server_healthy(self) -> bool:
        return self.actions_up

    async def close(self) -> None:
        return None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    migrations.upgrade(url)
    return Settings(
        database_url=url,
        bot_secret="t",
        encryption_key=TEST_KEY,
        tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        retention_interval_minutes=0,
        approved_nlu_file=tmp_path / "nlu" / "reviewed.yml",
        spool_dir=tmp_path / "spool",
    )


@pytest.fixture
def bot() -> FakeBot:
    return FakeBot()


class FrozenClock:
    """Office hours in tests follow this clock, never the real time of the CI run."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment.astimezone(dt.timezone.utc)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(OPEN_MOMENT)


@pytest.fixture
def app(settings: Settings, bot: FakeBot, clock: FrozenClock):
    application = create_app(settings, bot=bot)
    application.state.runtime.clock = clock
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


TEST_ACTOR = Actor(id="cli:test", name="test", role="cli", origin="pytest")


def make_account(app, role: str, name: str | None = None) -> dict[str, str]:
    runtime = app.state.runtime
    with runtime.session_factory() as session:
        account, token = staff_service.create_account(
            # tests move the service's clock by days or years (holidays, retention); expiry has its own test
            session,
            TEST_ACTOR,
            name=name or f"{role} tester",
            role=role,
            now=runtime.clock(),
            token_hours=24 * 365 * 10,
        )
    return {"id": account.id, "token": token, "headers": {"Authorization": f"Bearer {token}"}}


@pytest.fixture
def staff(app) -> dict[str, dict[str, Any]]:
    """One account per role, plus a second agent."""
    return {
        "agent": make_account(app, "agent", "Anna Agent"),
        "agent2": make_account(app, "agent", "Bram Agent"),
        "reviewer": make_account(app, "reviewer", "Rita Reviewer"),
        "admin": make_account(app, "admin", "Ahmed Admin"),
    }


@pytest.fixture
def postgres_database():
    try:
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.skip(
            f"PostgreSQL is not reachable on 127.0.0.1:5432 ({type(exc).__name__}); the production database test needs it"
        )
    name = f"ga_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def redis_available() -> bool:
    """Tests of shared state across workers need the machine's Redis; they are skipped, saying so, without it."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The app under a real uvicorn in a thread: real parallel requests and real event streams."""

    def __init__(self, application, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # the options `python -m governance serve` uses (proxy headers trusted only from configured addresses)
        options = {**uvicorn_options(application.state.runtime.settings), "host": "127.0.0.1", "port": self.port}
        config = uvicorn.Config(application, **options, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def conversation(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/v1/conversations", json={})
    assert response.status_code == 201
    return response.json()


def auth(conversation: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {conversation['token']}"}


def start(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/v1/conversations", json={})
    assert response.status_code == 201
    return response.json()


def post_message(client: TestClient, conversation: dict[str, Any], **body: Any):
    return client.post(f"/api/v1/conversations/{conversation['conversation_id']}/messages", json=body, headers=auth(conversation))


def say(client: TestClient, conversation: dict[str, Any], **body: Any) -> dict[str, Any]:
    """Send a message that must succeed; returns the reply body."""
    response = post_message(client, conversation, **body)
    assert response.status_code == 200, response.text
    return response.json()
