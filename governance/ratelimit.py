"""Per-IP and per-conversation rate limits for the citizen API (429 with a Dutch message and Retry-After).

Counts live in Redis when GOV_REDIS_URL is set, so every worker and replica shares them; without Redis, or
while Redis is unreachable, each process counts for itself (safe degradation: limits stay, only less
exact), and a warning is logged once per outage."""

from __future__ import annotations

import collections
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)
MAX_KEYS = 100_000  # memory bound for the in-process counters under a flood of addresses


@dataclass(frozen=True)
class Limit:
    scope: str  # ip, conversation, start
    per_minute: int


class MemoryCounter:
    """Fixed one-minute windows per key, in this process."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: collections.OrderedDict[str, tuple[int, int]] = collections.OrderedDict()

    def hit(self, key: str, window: int) -> tuple[int, float]:
        now = self._clock()
        index = int(now // window)
        with self._lock:
            start, count = self._counts.pop(key, (index, 0))
            count = count + 1 if start == index else 1
            self._counts[key] = (index, count)
            while len(self._counts) > MAX_KEYS:
                self._counts.popitem(last=False)
        return count, (index + 1) * window - now


class RedisCounter:
    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
        self._clock = clock

    def hit(self, key: str, window: int) -> tuple[int, float]:
        now = self._clock()
        index = int(now // window)
        name = f"ga:rl:{key}:{index}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 5)
        count, _ = pipe.execute()
        return int(count), (index + 1) * window - now


class RateLimiter:
    def __init__(self, redis_url: str = "", clock: Callable[[], float] = time.time) -> None:
        self._memory = MemoryCounter(clock)
        self._shared = RedisCounter(redis_url, clock) if redis_url else None
        self._degraded = False

    @property
    def shared(self) -> bool:
        return self._shared is not None and not self._degraded

    def check(self, limit: Limit, key: str) -> float | None:
        """Count one request; the seconds to wait when over the limit, else None."""
        if limit.per_minute <= 0:
            return None
        count, reset = self._count(f"{limit.scope}:{key}")
        if count > limit.per_minute:
            return max(1.0, math.ceil(reset))
        return None

    def _count(self, key: str) -> tuple[int, float]:
        if self._shared is not None:
            try:
                result = self._shared.hit(key, 60)
                if self._degraded:
                    logger.warning("rate limits shared through Redis again")
                    self._degraded = False
                return result
            except Exception:  # noqa: BLE001 - any Redis failure: count here instead, never fail the request
                if not self._degraded:
                    logger.warning("Redis unreachable: rate limits counted per process until it is back")
                    self._degraded = True
        return self._memory.hit(key, 60)
