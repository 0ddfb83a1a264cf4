"""The circuit breaker in front of Rasa: after repeated failures citizens hear at once that the assistant is
down (and are offered a person) instead of each waiting for a time-out; Rasa back means answers again."""

from __future__ import annotations

import asyncio
import time

import pytest

from governance.circuit import CircuitBreaker
from governance.rasa_client import BotUnavailable, RasaClient
from tests.loopback import LoopbackServer, QuietHandler


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_repeated_failures_and_tries_again_after_the_cooldown():
    clock = Clock()
    breaker = CircuitBreaker(failures_to_open=3, cooldown_seconds=30, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failed()
    assert breaker.state == "closed"
    assert breaker.allow()
    breaker.failed()
    assert breaker.state == "open" and not breaker.allow()
    clock.now = 31
    assert breaker.state == "half_open"
    assert breaker.allow() and not breaker.allow()  # one trial call at a time
    breaker.failed()
    assert breaker.state == "open"  # the trial failed: open again for a full cooldown
    clock.now = 62
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.allow()


def test_a_success_resets_the_count():
    breaker = CircuitBreaker(failures_to_open=2, cooldown_seconds=30, clock=Clock())
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    assert breaker.state == "closed"


def test_rasa_down_is_reported_at_once_once_the_breaker_is_open():
    client = RasaClient(
        base_url="http://127.0.0.1:9",  # nothing listens: connection refused
        secret="t",
        action_server_url="http://127.0.0.1:9",
        timeout=2.0,
        status_ttl=30,
        breaker=lambda: CircuitBreaker(failures_to_open=2, cooldown_seconds=60),
    )

    async def attempts() -> list[str]:
        reasons = []
        for _ in range(4):
            with pytest.raises(BotUnavailable) as caught:
                await client.send(sender_id="s_x", message="hoi", metadata={})
            reasons.append(str(caught.value))
        await client.close()
        return reasons

    started = time.monotonic()
    reasons = asyncio.run(attempts())
    assert time.monotonic() - started < 2
    assert "circuit open" not in reasons[0] and "circuit open" not in reasons[1]
    assert "circuit open" in reasons[2] and "circuit open" in reasons[3]


class FakeRasa:
    """A loopback stand-in for one Rasa replica's REST channel; counts what it processed."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.processed: list[str] = []
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.read_json()
                fake.processed.append(body["sender"])
                time.sleep(delay)
                self.send_json(200, [{"recipient_id": body["sender"], "text": "antwoord"}])

        self._server = LoopbackServer(Handler)
        self.url = self._server.url

    def close(self) -> None:
        self._server.close()


def two_replicas(first: str, second: str, timeout: float = 5.0) -> RasaClient:
    return RasaClient(
        base_url=f"{first},{second}", secret="t", action_server_url="http://127.0.0.1:9", timeout=timeout, status_ttl=30
    )


def test_each_conversation_sticks_to_one_replica_and_moves_when_it_is_gone():
    a, b = FakeRasa(), FakeRasa()
    senders = [f"s_{i}" for i in range(40)]

    async def talk(client: RasaClient) -> None:
        for sender in senders:
            for _ in range(2):
                await client.send(sender_id=sender, message="hoi", metadata={})
        await client.close()

    asyncio.run(talk(two_replicas(a.url, b.url)))
    assert a.processed and b.processed  # both replicas take conversations
    assert not set(a.processed) & set(b.processed)  # but each conversation only one of them
    a.close()
    b.processed.clear()
    asyncio.run(talk(two_replicas(a.url, b.url)))  # a is gone: connections refused
    assert sorted(b.processed) == sorted(senders * 2)  # every turn answered once, by b
    b.close()


def test_a_slow_replica_is_not_retried_elsewhere():
    """After a time-out the first replica may have processed the message: a retry would process it twice."""
    slow, other = FakeRasa(delay=1.0), FakeRasa()

    async def one() -> None:
        client = two_replicas(slow.url, other.url, timeout=0.3)
        sender = next(s for s in (f"s_{i}" for i in range(100)) if client._for(s)[0].url == slow.url)
        with pytest.raises(BotUnavailable):
            await client.send(sender_id=sender, message="hoi", metadata={})
        await client.close()

    asyncio.run(one())
    assert len(slow.processed) == 1 and other.processed == []
    slow.close()
    other.close()
