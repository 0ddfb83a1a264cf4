"""Server-sent events for the widget and the staff console.

A stream re-reads a small snapshot from the database when the in-process bus says something changed, and
every `poll_seconds` anyway (changes from other workers). Each event carries an id so a client that
reconnects with Last-Event-ID misses nothing. Streams end after `max_seconds`; clients reconnect.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from governance.events import ChangeBus


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
    topics: list[str],
    snapshot: Snapshot,
    cursor: Any,
    *,
    poll_seconds: float = 2.0,
    keepalive_seconds: float = 15.0,
    max_seconds: float = 600.0,
) -> StreamingResponse:
    async def body() -> AsyncIterator[str]:
        nonlocal cursor
        started = last_sent = time.monotonic()
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
                if time.monotonic() - last_sent > keepalive_seconds:
                    yield ": keepalive\n\n"
                    last_sent = time.monotonic()
                await subscription.wait(poll_seconds)
        finally:
            subscription.close()

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def last_event_id(request: Request) -> int | None:
    value = request.headers.get("last-event-id", "")
    return int(value) if value.isdigit() and len(value) < 12 else None
