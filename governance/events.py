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

    def subscribe(self, topics: list[str]) -> Subscription:
        """Register for the topics until closed. A stream subscribes *before* its first read, so a change
        committed while it reads is not lost: the event is already set when it starts to wait."""
        subscription = Subscription(self, topics, asyncio.get_running_loop())
        with self._lock:
            for topic in topics:
                self._waiters[topic].add(subscription.waiter)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            for topic in subscription.topics:
                self._waiters[topic].discard(subscription.waiter)
                if not self._waiters[topic]:
                    del self._waiters[topic]


class Subscription:
    def __init__(self, bus: ChangeBus, topics: list[str], loop: asyncio.AbstractEventLoop) -> None:
        self.bus = bus
        self.topics = topics
        self.event = asyncio.Event()
        self.waiter = (loop, self.event)

    def clear(self) -> None:
        """Call just before reading the state the stream reports."""
        self.event.clear()

    async def wait(self, timeout: float) -> bool:
        """True when something changed since the last clear(), False after the timeout."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        self.bus._unsubscribe(self)


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


QUEUE_TOPIC = "queue"
