"""The same Alembic migrations build the schema on SQLite and on PostgreSQL, and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from governance import migrations
from governance.db import Base, make_engine
from governance.models import Conversation  # noqa: F401 - registers the tables

EXPECTED_TABLES = {
    "alembic_version",
    "conversation",
    "message",
    "decision_record",
    "staff_account",
    "audit_entry",
    "audit_chain_head",
    "escalation",
    "staff_note",
    "callback_request",
    "system_switch",
}


def assert_schema_matches_models(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= EXPECTED_TABLES
        assert MigrationContext.configure(connection).get_current_revision() == migrations.head_revision()
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; run alembic revision --autogenerate: {diff}"


def test_migrations_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrations.upgrade(url)
    assert_schema_matches_models(url)
    migrations.upgrade(url)  # running again is harmless


@pytest.mark.postgres
def test_migrations_on_postgresql(postgres_database):
    migrations.upgrade(postgres_database)
    assert_schema_matches_models(postgres_database)


@pytest.mark.postgres
def test_conversation_round_trip_on_postgresql(postgres_database):
    from fastapi.testclient import TestClient

    from governance.config import Settings
    from governance.main import create_app
    from tests.governance.conftest import TEST_KEY, FakeBot

    migrations.upgrade(postgres_database)
    settings = Settings(database_url=postgres_database, encryption_key=TEST_KEY, retention_interval_minutes=0)
    with TestClient(create_app(settings, bot=FakeBot())) as client:
        created = client.post("/api/v1/conversations", json={}).json()
        headers = {"Authorization": f"Bearer {created['token']}"}
        reply = client.post(
            f"/api/v1/conversations/{created['conversation_id']}/messages", json={"text": "paspoort"}, headers=headers
        )
        assert reply.status_code == 200
        transcript = client.get(f"/api/v1/conversations/{created['conversation_id']}", headers=headers).json()
    assert len(transcript["messages"]) == 3
    assert transcript["messages"][2]["explanation"]["decision_id"] == reply.json()["messages"][0]["explanation"]["decision_id"]


OLD_MESSAGES = ((1, "assistant", "Welkom"), (2, "citizen", "paspoort"), (3, "assistant", "Zo doe je dat."))


def test_a_conversation_from_before_an_upgrade_continues_after_it(tmp_path):
    """Message numbers come from the conversation's last_seq since b60f229ccdd7: the migration must carry on
    from the messages already stored, or the citizen's next message would clash with an old one."""
    import datetime as dt

    from alembic import command
    from fastapi.testclient import TestClient
    from sqlalchemy import MetaData

    from governance import ids
    from governance.config import Settings
    from governance.main import create_app
    from tests.governance.conftest import TEST_KEY, FakeBot

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(migrations.alembic_config(url), "32c28f807b99")  # the schema before last_seq
    engine = make_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    moment = dt.datetime(2026, 11, 1, 10, 0)
    with engine.begin() as connection:
        connection.execute(
            tables.tables["conversation"].insert(),
            {"id": "c_old", "sender_id": "s_old", "token_hash": ids.hash_token("old-token"), "state": "bot",
             "locale": "nl", "created_at": moment, "last_activity_at": moment, "preserve": False},
        )  # fmt: skip
        connection.execute(
            tables.tables["message"].insert(),
            [
                {"id": f"m_old{seq}", "conversation_id": "c_old", "seq": seq, "role": role, "text": text,
                 "buttons": [], "created_at": moment}
                for seq, role, text in OLD_MESSAGES
            ],
        )  # fmt: skip
    engine.dispose()

    migrations.upgrade(url)
    settings = Settings(database_url=url, encryption_key=TEST_KEY, retention_interval_minutes=0, spool_dir=tmp_path / "spool")
    with TestClient(create_app(settings, bot=FakeBot())) as client:
        headers = {"Authorization": "Bearer old-token"}
        reply = client.post("/api/v1/conversations/c_old/messages", json={"text": "en een rijbewijs"}, headers=headers)
        assert reply.status_code == 200, reply.text
        transcript = client.get("/api/v1/conversations/c_old", headers=headers).json()
    texts = [message["text"] for message in transcript["messages"]]
    assert texts[:4] == ["Welkom", "paspoort", "Zo doe je dat.", "en een rijbewijs"]
    assert len(texts) == 5  # and the bot's answer after it
