"""Change notifications, so that open event streams wake up at once after a commit.

In one process the bus wakes the streams directly. With several workers or machines, a RedisFanout carries
each notification to the others over Redis pub/sub (GOV_REDIS_URL), so an agent's reply reaches a citizen
whose stream is held by another worker at once. Streams also re-read the database every few seconds, so
without Redis, or while it is away, changes still arrive, only later. Thread-safe: services that run in
the thread pool notify waiters that live on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from collections import defaultdict

logger = logging.getLogger(__name__)


class ChangeBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = defaultdict(set)
        self.fanout: RedisFanout | None = None

    def notify(self, *topics: str) -> None:
        self.notify_here(*topics)
        if self.fanout is not None:
            self.fanout.publish(topics)

    def notify_here(self, *topics: str) -> None:
        with self._lock:
            # a set: a stream that listens to two of the topics is woken once, not twice
            waiters = {w for topic in topics for w in self._waiters.get(topic, ())}
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


class RedisFanout:
    """Publishes this process's notifications on a Redis channel and replays the others' on the local bus.
    Redis away: publishing is skipped for a few seconds at a time and the listener reconnects with back-off;
    the streams' database polling covers the gap."""

    RETRY_SECONDS = 5.0

    def __init__(self, bus: ChangeBus, url: str, channel: str = "ga:changes") -> None:
        import redis

        self._bus = bus
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._channel = channel
        self._origin = uuid.uuid4().hex
        self._stop = threading.Event()
        self._paused_until = 0.0
        self._thread = threading.Thread(target=self._listen, name="redis-fanout", daemon=True)
        self.connected = threading.Event()
        bus.fanout = self

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)

    def publish(self, topics: tuple[str, ...]) -> None:
        if time.monotonic() < self._paused_until:
            return
        try:
            self._redis.publish(self._channel, json.dumps({"origin": self._origin, "topics": list(topics)}))
        except Exception:  # noqa: BLE001 - never fail a citizen's turn for a wake-up call
            self._paused_until = time.monotonic() + self.RETRY_SECONDS
            logger.warning("Redis unreachable: other workers see this change at their next database poll")

    def _listen(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self._channel)
                self.connected.set()
                delay = 0.5
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message and message.get("type") == "message":
                        data = json.loads(message["data"])
                        if data.get("origin") != self._origin:
                            self._bus.notify_here(*data.get("topics", []))
            except Exception:  # noqa: BLE001 - reconnect with back-off; polling covers the gap
                self.connected.clear()
                logger.warning("Redis fan-out listener lost its connection; reconnecting")
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
            finally:
                pubsub.close()


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


QUEUE_TOPIC = "queue"
