"""The same Alembic migrations build the schema on SQLite and on PostgreSQL, and match the models."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from governance import migrations
from governance.db import Base, make_engine
from governance.models import Conversation  # noqa: F401 - registers the tables

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
EXPECTED_TABLES = {"alembic_version", "conversation", "message", "decision_record"}


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


@pytest.mark.postgres
def test_migrations_on_postgresql(postgres_database):
    migrations.upgrade(postgres_database)
    assert_schema_matches_models(postgres_database)


@pytest.mark.postgres
def test_conversation_round_trip_on_postgresql(postgres_database):
    from fastapi.testclient import TestClient

    from governance.config import Settings
    from governance.main import create_app
    from tests.governance.conftest import FakeBot

    migrations.upgrade(postgres_database)
    settings = Settings(database_url=postgres_database)
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
