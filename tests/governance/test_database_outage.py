"""The database briefly gone (fault injection on a real PostgreSQL): no 500 for the citizen, an answer Rasa
already gave still reaches them, its decision records wait on disk and are written once the database is
back — with the message ids the citizen has, exactly once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from governance import migrations
from governance.config import Settings
from governance.main import create_app
from tests.governance.conftest import OPEN_MOMENT, POSTGRES_ADMIN, TEST_KEY, FakeBot, FrozenClock, auth


class Outage:
    """Stops and restores connections to one PostgreSQL database, as a failover or network cut would."""

    def __init__(self, url: str) -> None:
        self.name = url.rsplit("/", 1)[-1]
        self.admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")

    def start(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": self.name},
            )

    def end(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true'))


@pytest.fixture
def outage_app(postgres_database, tmp_path):
    migrations.upgrade(postgres_database)
    settings = Settings(
        database_url=postgres_database,
        bot_secret="t",
        encryption_key=TEST_KEY,
        retention_interval_minutes=0,
        spool_dir=tmp_path / "spool",
    )
    bot = FakeBot()
    app = create_app(settings, bot=bot)
    app.state.runtime.clock = FrozenClock(OPEN_MOMENT)
    outage = Outage(postgres_database)
    yield app, bot, outage
    outage.end()
    outage.admin.dispose()


def test_answer_survives_a_database_outage_and_its_records_are_written_once(outage_app):
    app, bot, outage = outage_app
    runtime = app.state.runtime
    with TestClient(app) as client:
        conversation = client.post("/api/v1/conversations", json={}).json()
        url = f"/api/v1/conversations/{conversation['conversation_id']}"
        bot.while_answering = outage.start  # the database goes away while Rasa thinks
        reply = client.post(url + "/messages", json={"text": "wat kost een paspoort"}, headers=auth(conversation))
        bot.while_answering = None
        assert reply.status_code == 200
        answer = reply.json()["messages"][0]
        assert "paspoort" in answer["text"].lower() and answer["explanation"]["decision_id"]
        assert runtime.spool.pending() == 1

        # while it is away: a clear Dutch 503, never a 500, and nothing is lost
        down = client.get(url, headers=auth(conversation))
        assert down.status_code == 503 and down.json()["code"] == "storage_unavailable"
        assert client.post(url + "/messages", json={"text": "nog een vraag"}, headers=auth(conversation)).status_code == 503
        assert runtime.spool.replay(runtime.session_factory) == 0 and runtime.spool.pending() == 1

        outage.end()
        runtime.engine.dispose()  # drop the pool's dead connections (pre-ping would too, one by one)
        assert runtime.spool.replay(runtime.session_factory) == 1
        assert runtime.spool.pending() == 0
        assert runtime.spool.replay(runtime.session_factory) == 0

        transcript = client.get(url, headers=auth(conversation)).json()
        answers = [m for m in transcript["messages"] if m["role"] == "assistant" and m["explanation"]]
        assert [m["id"] for m in answers] == [answer["id"]]  # the id the citizen already has
        citizen = [m["text"] for m in transcript["messages"] if m["role"] == "citizen"]
        assert citizen == ["wat kost een paspoort"]  # the refused second message was never half-stored
        engine = create_engine(runtime.settings.database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT decision_id, turn, message_id FROM decision_record WHERE conversation_id = :c"),
                {"c": conversation["conversation_id"]},
            ).all()
        engine.dispose()
        assert [(r.decision_id, r.turn, r.message_id) for r in rows] == [(answer["explanation"]["decision_id"], 1, answer["id"])]
        # feedback on the spooled answer works once it is written
        rated = client.post(url + "/feedback", json={"message_id": answer["id"], "rating": "up"}, headers=auth(conversation))
        assert rated.status_code in (200, 201)
