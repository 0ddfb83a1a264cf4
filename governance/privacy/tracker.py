"""Rasa's SQL tracker store as the governance service uses it (table `events`: id, sender_id, type_name,
timestamp as epoch seconds, data as JSON).

Erasing: Rasa 3.6 has no API to delete a tracker, so the service deletes the rows itself. Only pseudonymous
sender ids and already-redacted text are in there, but a citizen's erasure and the retention term cover it too.

Reading: the policy and confidence of the actions Rasa just ran (rasa-notes section 2) are read straight
from the rows Rasa saved before it answered, instead of asking Rasa to load, rebuild and serialise the whole
tracker over HTTP — that round trip cost about 13 ms of every turn."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from governance.db import make_engine

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActionTrace:
    """What Rasa's tracker says about an action it ran: the policy and confidence the action itself cannot see."""

    name: str
    policy: str | None
    confidence: float | None


# A turn of ours runs a handful of actions; more rows than this without a user event means something odd.
RECENT_EVENTS = 40


def actions_after_last_user_event(events: list[dict]) -> list[ActionTrace]:
    """The actions since the newest `user` event, oldest first; events are given oldest first."""
    traces: list[ActionTrace] = []
    for event in reversed(events):
        if event.get("event") == "user":
            break
        if event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            traces.append(ActionTrace(event["name"], event.get("policy"), event.get("confidence")))
    return list(reversed(traces))


class TrackerStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._reader: Engine | None = None

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

    def recent_actions(self, sender_id: str) -> list[ActionTrace] | None:
        """The actions of the sender's latest turn, or None when the store cannot tell (not configured, empty,
        unreadable): the caller then asks Rasa over HTTP."""
        if not self.url:
            return None
        if self._reader is None:
            # A plain engine: reading Rasa's database must not take its write lock (make_engine's SQLite
            # transactions do) nor switch its journal mode.
            options = {"connect_args": {"check_same_thread": False}} if self.url.startswith("sqlite") else {}
            self._reader = create_engine(self.url, pool_pre_ping=True, **options)
        try:
            with self._reader.connect() as connection:
                rows = connection.execute(
                    text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id DESC LIMIT :limit"),
                    {"sender": sender_id, "limit": RECENT_EVENTS},
                ).all()
        except Exception:  # noqa: BLE001 - no table yet, database away: fall back to the HTTP API
            logger.warning("tracker store not readable; asking Rasa instead", exc_info=True)
            return None
        events = []
        for (data,) in reversed(rows):
            try:
                events.append(json.loads(data))
            except (TypeError, ValueError):
                continue
        if not any(event.get("event") == "user" for event in events):
            return None  # the turn's user event is older than the rows read: let Rasa answer in full
        return actions_after_last_user_event(events)

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
        for engine in (self._engine, self._reader):
            if engine is not None:
                engine.dispose()
