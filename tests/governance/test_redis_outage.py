"""Redis gone and back, for real: a private redis-server (not the machine's shared one) is stopped and started
while rate limits and the cross-worker fan-out are in use. Limits keep working per process while it is away
and are shared again when it is back; the fan-out listener reconnects and wakes other workers again."""

from __future__ import annotations

import asyncio
import time

import pytest

from governance.events import ChangeBus, RedisFanout
from governance.ratelimit import Limit, RateLimiter
from tests.private_redis import AVAILABLE, PrivateRedis

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="redis-server is not installed")


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def test_rate_limits_survive_redis_going_away_and_share_again_when_it_is_back(private_redis):
    limit = Limit("conversation", 2)
    worker_a, worker_b = RateLimiter(private_redis.url), RateLimiter(private_redis.url)
    assert worker_a.check(limit, "c_1") is None and worker_b.check(limit, "c_1") is None
    assert worker_a.check(limit, "c_1") is not None  # shared: the third message over both workers is refused

    private_redis.stop()
    started = time.monotonic()
    assert worker_a.check(limit, "c_2") is None and worker_a.check(limit, "c_2") is None
    assert worker_a.check(limit, "c_2") is not None  # still limited, counted in this process
    assert not worker_a.shared and time.monotonic() - started < 3  # quick, never hanging a request

    private_redis.start()
    assert worker_a.check(limit, "c_3") is None and worker_a.shared  # shared again
    assert worker_b.check(limit, "c_3") is None and worker_b.check(limit, "c_3") is not None


def test_fanout_reconnects_after_redis_comes_back(private_redis):
    channel = "ga:outage-test"
    bus_a, bus_b = ChangeBus(), ChangeBus()
    fanout_a, fanout_b = RedisFanout(bus_a, private_redis.url, channel), RedisFanout(bus_b, private_redis.url, channel)
    fanout_a.start()
    fanout_b.start()

    async def woke_in_b(topic: str) -> bool:
        subscription = bus_b.subscribe([topic])
        subscription.clear()
        bus_a.notify(topic)
        woke = await subscription.wait(2)
        subscription.close()
        return woke

    try:
        assert fanout_b.connected.wait(5)
        assert asyncio.run(woke_in_b("conversation:c_1"))
        private_redis.stop()
        deadline = time.monotonic() + 5
        while fanout_b.connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not fanout_b.connected.is_set()
        started = time.monotonic()
        assert not asyncio.run(woke_in_b("conversation:c_2"))  # away: only the database poll would bring it
        assert time.monotonic() - started < 3.5
        private_redis.start()
        assert fanout_b.connected.wait(15)
        # worker A skips Redis for a few seconds after a failed publish, then carries changes at once again
        deadline = time.monotonic() + 15
        while not asyncio.run(woke_in_b("conversation:c_3")):
            assert time.monotonic() < deadline, "the fan-out did not come back"
    finally:
        fanout_a.stop()
        fanout_b.stop()
