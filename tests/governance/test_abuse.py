"""Abuse protection on the citizen API: rate limits per address and per conversation (429, Dutch,
Retry-After), shared through Redis when configured and still enforced when Redis is gone; security headers;
CORS only for configured origins."""

from __future__ import annotations

import pytest

from governance.main import create_app
from governance.ratelimit import Limit, RateLimiter
from tests.governance.conftest import OPEN_MOMENT, FakeBot, FrozenClock, auth, post_message, redis_available


def limited_app(settings, **limits):
    app = create_app(settings.model_copy(update=limits), bot=FakeBot())
    app.state.runtime.clock = FrozenClock(OPEN_MOMENT)
    return app


def test_messages_per_conversation_are_limited_with_a_dutch_429(settings):
    from fastapi.testclient import TestClient

    with TestClient(limited_app(settings, rate_limit_conversation_per_minute=3)) as client:
        conversation = client.post("/api/v1/conversations", json={}).json()
        statuses = [post_message(client, conversation, text="wat kost een paspoort").status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        refused = post_message(client, conversation, text="nog een vraag")
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "rate_limited" and "Wacht even" in refused.json()["detail"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        # another conversation is not affected, and nothing refused was stored
        other = client.post("/api/v1/conversations", json={}).json()
        assert post_message(client, other, text="wat kost een paspoort").status_code == 200
        transcript = client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation)).json()
        assert sum(m["role"] == "citizen" for m in transcript["messages"]) == 3
        assert "ga_rate_limited_total" in client.get("/metrics").text


def test_new_conversations_per_address_are_limited(settings):
    from fastapi.testclient import TestClient

    with TestClient(limited_app(settings, rate_limit_starts_per_minute=2)) as client:
        statuses = [client.post("/api/v1/conversations", json={}).status_code for _ in range(3)]
        assert statuses == [201, 201, 429]


def test_security_headers_and_no_caching_of_conversations(client, conversation):
    response = client.get(f"/api/v1/conversations/{conversation['conversation_id']}", headers=auth(conversation))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "camera=()" in client.get("/").headers["Permissions-Policy"]


def test_cors_only_for_configured_origins(settings):
    from fastapi.testclient import TestClient

    app = limited_app(settings, cors_origins="https://www.voorbeeldstad.example")
    with TestClient(app) as client:
        allowed = client.options(
            "/api/v1/conversations",
            headers={"Origin": "https://www.voorbeeldstad.example", "Access-Control-Request-Method": "POST"},
        )
        assert allowed.headers.get("access-control-allow-origin") == "https://www.voorbeeldstad.example"
        other = client.post("/api/v1/conversations", json={}, headers={"Origin": "https://kwaad.example"})
        assert "access-control-allow-origin" not in other.headers


def test_no_cors_by_default(client):
    response = client.post("/api/v1/conversations", json={}, headers={"Origin": "https://www.voorbeeldstad.example"})
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_redis_shares_the_counts_between_workers():
    import redis

    redis.Redis.from_url("redis://127.0.0.1:6379/15").flushdb()
    limit = Limit("conversation", 3)
    first, second = RateLimiter("redis://127.0.0.1:6379/15"), RateLimiter("redis://127.0.0.1:6379/15")
    results = [
        first.check(limit, "c_shared"),
        second.check(limit, "c_shared"),
        first.check(limit, "c_shared"),
        second.check(limit, "c_shared"),
    ]
    assert results[:3] == [None, None, None] and results[3] is not None  # two workers, one count
    assert first.shared and second.shared


def test_redis_gone_still_limits_per_process():
    limiter = RateLimiter("redis://127.0.0.1:1/0")  # nothing listens there
    limit = Limit("conversation", 2)
    assert [limiter.check(limit, "c_x") is None for _ in range(3)] == [True, True, False]
    assert limiter.shared is False
