"""Erasing from Rasa's tracker store. Rasa 3.6 has no API to delete a tracker, so the governance service
deletes the rows of its SQL tracker store (table `events`: sender_id, timestamp as epoch seconds) itself.
Only pseudonymous sender ids and already-redacted text are in there, but a citizen's erasure and the
retention term cover it too."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from governance.db import make_engine

logger = logging.getLogger(__name__)


class TrackerStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def configured(self) -> bool:
        return bool(self.url)

    def _ready_engine(self) -> Engine | None:
        if not self.url:
            return None
        if self._engine is None:
            self._engine = make_engine(self.url)
        with self._engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return None  # Rasa has not written anything yet
        return self._engine

    def delete_sender(self, sender_id: str) -> int:
        engine = self._ready_engine()
        if engine is None:
            return 0
        with engine.begin() as connection:
            return connection.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender_id}).rowcount

    def delete_older_than(self, cutoff: dt.datetime) -> int:
        engine = self._ready_engine()
        if engine is None:
            return 0
        with engine.begin() as connection:
            result = connection.execute(text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff.timestamp()})
            return result.rowcount

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
