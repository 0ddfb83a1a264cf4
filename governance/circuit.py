"""A circuit breaker for the call to Rasa. When Rasa is down or too slow, every citizen would otherwise wait
the full timeout before hearing so; after a few failures in a row the breaker opens and turns are answered
at once (the citizen is offered a person). After a cool-down one trial call goes through: success closes
the breaker, failure opens it again."""

from __future__ import annotations

import time
from collections.abc import Callable


class CircuitBreaker:
    def __init__(self, *, failures_to_open: int = 3, cooldown_seconds: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.failures_to_open = failures_to_open
        self.cooldown_seconds = cooldown_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown_seconds:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a call go through now? In half-open state only one trial call at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def succeeded(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def failed(self) -> None:
        self._failures += 1
        self._trial_running = False
        if self._opened_at is not None or self._failures >= self.failures_to_open:
            self._opened_at = self._clock()
