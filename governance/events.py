"""In-process change notifications, so that open event streams wake up at once after a commit.

Streams also re-read the database every few seconds, so a change committed by another worker (or another
machine) still arrives; this bus only makes the common case immediate. Thread-safe: services that run in
the thread pool notify waiters that live on the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict


class ChangeBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = defaultdict(set)

    def notify(self, *topics: str) -> None:
        with self._lock:
            waiters = [w for topic in topics for w in self._waiters.get(topic, ())]
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    async def wait(self, topics: list[str], timeout: float) -> bool:
        """Wait until one of the topics changes or the timeout passes; True if something changed."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        waiter = (loop, event)
        with self._lock:
            for topic in topics:
                self._waiters[topic].add(waiter)
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                for topic in topics:
                    self._waiters[topic].discard(waiter)
                    if not self._waiters[topic]:
                        del self._waiters[topic]


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


QUEUE_TOPIC = "queue"
