"""With several workers, a change committed in one wakes the event streams held by another at once
(Redis pub/sub), and nothing breaks while Redis is away (streams then fall back to polling)."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from governance.events import ChangeBus, RedisFanout
from tests.governance.conftest import redis_available


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_a_change_in_one_worker_wakes_a_stream_in_another():
    channel = f"ga:test:{uuid.uuid4().hex}"
    worker_a, worker_b = ChangeBus(), ChangeBus()
    fanout_a = RedisFanout(worker_a, "redis://127.0.0.1:6379/0", channel)
    fanout_b = RedisFanout(worker_b, "redis://127.0.0.1:6379/0", channel)
    fanout_a.start()
    fanout_b.start()
    try:
        assert fanout_a.connected.wait(5) and fanout_b.connected.wait(5)

        async def stream_in_b() -> tuple[bool, bool, float]:
            subscription = worker_b.subscribe(["conversation:c_1"])
            other = worker_b.subscribe(["conversation:c_2"])
            subscription.clear()
            other.clear()
            started = time.monotonic()
            worker_a.notify("conversation:c_1")  # an agent's reply committed in worker A
            woke = await subscription.wait(3)
            elapsed = time.monotonic() - started
            untouched = not await other.wait(0.3)
            subscription.close()
            other.close()
            return woke, untouched, elapsed

        woke, untouched, elapsed = asyncio.run(stream_in_b())
        assert woke and elapsed < 1.0  # at once, not at the next 2-second poll
        assert untouched  # only the conversation that changed
    finally:
        fanout_a.stop()
        fanout_b.stop()


def test_redis_away_never_breaks_a_notification():
    bus = ChangeBus()
    fanout = RedisFanout(bus, "redis://127.0.0.1:1/0")  # nothing listens there
    fanout.start()
    try:

        async def local_stream() -> bool:
            subscription = bus.subscribe(["queue"])
            subscription.clear()
            started = time.monotonic()
            bus.notify("queue")
            bus.notify("queue")  # the second one skips Redis for a while instead of waiting again
            assert time.monotonic() - started < 2
            woke = await subscription.wait(1)
            subscription.close()
            return woke

        assert asyncio.run(local_stream())  # this worker's own streams still wake at once
        assert not fanout.connected.is_set()
    finally:
        fanout.stop()
