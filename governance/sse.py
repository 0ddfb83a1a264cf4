"""Server-sent events for the widget and the staff console.

A stream re-reads a small snapshot from the database when the in-process bus says something changed, and
every `poll_seconds` anyway (changes from other workers). Each event carries an id so a client that
reconnects with Last-Event-ID misses nothing. Streams end after `max_seconds`; clients reconnect.

Every open stream holds a socket and a database read per wake-up, so they are capped (StreamLimits): a few
per conversation (a citizen with two tabs) and a total per worker; past a cap the answer is 503 with
Retry-After. A stream listens only to the topics that can change what it shows (`listen`): a citizen's
stream follows the queue only while the citizen waits in it, so one queue change does not wake every chat.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from governance.errors import Problem
from governance.events import ChangeBus
from governance.problem_texts import problem_detail

RETRY_AFTER_SECONDS = 30


class StreamSlot:
    """One open stream's place under the caps; given back once, when the stream ends (or is never run)."""

    def __init__(self, limits: StreamLimits, key: str) -> None:
        self._limits = limits
        self._key = key
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._limits._release(self._key)

    def __del__(self) -> None:  # a response that was never sent (the client left at once)
        self.release()


class StreamLimits:
    def __init__(self, *, per_key: int, total: int) -> None:
        self.per_key = per_key
        self.total = total
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}
        self._count = 0

    def acquire(self, key: str) -> StreamSlot:
        """Raises the 503 problem when the key or the worker has as many streams open as allowed."""
        with self._lock:
            if self._count >= self.total or self._open.get(key, 0) >= self.per_key:
                raise Problem(
                    503, "too_many_streams", problem_detail("too_many_streams"), headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
                )
            self._open[key] = self._open.get(key, 0) + 1
            self._count += 1
        return StreamSlot(self, key)

    def _release(self, key: str) -> None:
        with self._lock:
            self._count -= 1
            left = self._open.get(key, 1) - 1
            if left > 0:
                self._open[key] = left
            else:
                self._open.pop(key, None)

    @property
    def open(self) -> int:
        return self._count


@dataclass
class Event:
    name: str
    data: dict[str, Any]
    id: str | None = None

    def encode(self) -> str:
        lines = []
        if self.id is not None:
            lines.append(f"id: {self.id}")
        lines.append(f"event: {self.name}")
        lines.append("data: " + json.dumps(self.data, ensure_ascii=False, default=str))
        return "\n".join(lines) + "\n\n"


# A snapshot function gets the stream's cursor and returns the new events, the new cursor, and whether the
# stream is finished (e.g. the conversation closed).
Snapshot = Callable[[Any], tuple[list[Event], Any, bool]]


def event_stream(
    request: Request,
    bus: ChangeBus,
    listen: list[str] | Callable[[Any], list[str]],
    snapshot: Snapshot,
    cursor: Any,
    *,
    slot: StreamSlot,
    poll_seconds: float = 2.0,
    keepalive_seconds: float = 15.0,
    max_seconds: float = 600.0,
) -> StreamingResponse:
    """`listen`: the topics to wake up for, or a function of the cursor that gives them (re-read after every
    snapshot, so a stream can start or stop following a topic as what it shows changes)."""
    topics_for = listen if callable(listen) else (lambda _cursor: listen)

    async def body() -> AsyncIterator[str]:
        nonlocal cursor
        started = last_sent = time.monotonic()
        topics = topics_for(cursor)
        subscription = bus.subscribe(topics)
        try:
            yield "retry: 2000\n\n"
            while time.monotonic() - started < max_seconds:
                subscription.clear()
                events, cursor, finished = await run_in_threadpool(snapshot, cursor)
                for event in events:
                    yield event.encode()
                    last_sent = time.monotonic()
                if finished or await request.is_disconnected():
                    return
                wanted = topics_for(cursor)
                if wanted != topics:
                    # subscribe before unsubscribing, so no change in between is missed
                    replacement = bus.subscribe(wanted)
                    subscription.close()
                    subscription, topics = replacement, wanted
                    continue  # read once more: a change may have come while only the old topics were heard
                if time.monotonic() - last_sent > keepalive_seconds:
                    yield ": keepalive\n\n"
                    last_sent = time.monotonic()
                await subscription.wait(poll_seconds)
        finally:
            subscription.close()
            slot.release()

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def last_event_id(request: Request) -> int | None:
    value = request.headers.get("last-event-id", "")
    return int(value) if value.isdigit() and len(value) < 12 else None
