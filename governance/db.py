"""Database plumbing: declarative base with a naming convention (stable Alembic diffs), engine and sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


T = TypeVar("T", bound=Base)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps are stored and returned as UTC-aware datetimes, on SQLite too (which keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use utc_now()")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:  # type: ignore[override]
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def utc_now() -> dt.datetime:
    """Millisecond precision: what a decision record promises (contract section 5)."""
    now = dt.datetime.now(dt.timezone.utc)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


MAX_ID_LENGTH = 40


def get_by_id(session: Session, model: type[T], key: str, **options: Any) -> T | None:
    """Look up a row by its public id; an id longer than any we hand out is simply not found (no query)."""
    return session.get(model, key, **options) if len(key) <= MAX_ID_LENGTH else None


def make_engine(url: str, **options: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # Writers queue (BEGIN IMMEDIATE below); under a burst a waiting writer can miss a few
            # lock windows, so wait long rather than fail a citizen's message.
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # Let SQLAlchemy, not the driver, open transactions (see _sqlite_begin).
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:
            # A deferred SQLite transaction that reads and then writes fails at once ("database is locked")
            # when another connection wrote in between; taking the write lock up front makes concurrent
            # claims and messages queue up behind the busy timeout instead. SQLite is the one-machine default;
            # PostgreSQL (row locks) is the engine for scale.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session:
        yield session
