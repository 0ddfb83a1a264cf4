"""HTTP hardening in one place: security headers and the API version on every response, the request size
limit, CORS only for the configured origins of municipal pages that embed the widget, and the citizen API's
rate limits (429, Dutch, Retry-After).

One plain ASGI middleware rather than several `@app.middleware("http")` functions: each of those wraps the
request in its own task and stream, which cost ≈0.5 ms per layer on every citizen turn (make bench)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from governance import API_VERSION, metrics
from governance.config import Settings
from governance.errors import problem_response
from governance.problem_texts import problem_detail
from governance.ratelimit import Limit, RateLimiter
from governance.texts import Texts

CITIZEN_PATHS = ("/api/v1/conversations", "/api/v1/widget")
API_PREFIX = "/api/v1"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Hardening:
    """Refuses what is too big or too frequent before any work is done, and stamps every response."""

    def __init__(self, app: ASGIApp, *, settings: Settings, limiter: RateLimiter, rate_limited_text: str) -> None:
        self.app = app
        self.limiter = limiter
        self.rate_limited_text = rate_limited_text
        self.max_body_bytes = settings.max_body_bytes
        self.https = settings.public_base_url.startswith("https://")
        self.ip_limit = Limit("ip", settings.rate_limit_ip_per_minute)
        self.start_limit = Limit("start", settings.rate_limit_starts_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        is_api = path.startswith(API_PREFIX)

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if is_api:
                    headers["API-Version"] = API_VERSION
                    if "cache-control" not in headers:
                        headers["Cache-Control"] = "no-store"  # conversations and staff data are never cached
                if self.https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        refusal = self._too_large(scope) or await self._rate_limited(scope, path)
        if refusal is None and scope["method"] in BODY_METHODS and not _has_content_length(scope):
            # A chunked body has no length up front: read it here, counting, and refuse at the limit before
            # the rest arrives. Bodies here are small (64 KiB), so holding one in memory costs nothing.
            receive, too_large = await self._buffered(receive)
            if too_large:
                refusal = problem_response(413, "body_too_large", problem_detail("body_too_large"))
                refusal.headers["Connection"] = "close"
        if refusal is not None:
            await refusal(scope, receive, stamped)
            return
        await self.app(scope, receive, stamped)

    def _too_large(self, scope: Scope):
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.max_body_bytes:
                    return problem_response(413, "body_too_large", problem_detail("body_too_large"))
                break
        return None

    async def _buffered(self, receive: Receive) -> tuple[Receive, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return _replay([message], receive), False
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return receive, True
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive), False

    async def _rate_limited(self, scope: Scope, path: str):
        method = scope["method"]
        if not path.startswith(CITIZEN_PATHS) or method == "OPTIONS":
            return None
        client = scope.get("client")
        address = client[0] if client else "unknown"
        checks = [(self.ip_limit, address)]
        if method == "POST" and path == "/api/v1/conversations":
            checks.append((self.start_limit, address))
        # The per-conversation limit is counted after the conversation's token is checked
        # (conversation.service.count_towards_limit): a stranger who knows an id must not use up its quota.
        for limit, key in checks:
            if self.limiter.shared:  # a network round trip to Redis: not on the event loop
                wait = await run_in_threadpool(self.limiter.check, limit, key)
            else:
                wait = self.limiter.check(limit, key)
            if wait is not None:
                metrics.RATE_LIMITED.labels(limit.scope).inc()
                response = problem_response(429, "rate_limited", self.rate_limited_text)
                response.headers["Retry-After"] = str(int(wait))
                return response
        return None


def _has_content_length(scope: Scope) -> bool:
    return any(name == b"content-length" for name, _ in scope["headers"])


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive() that hands out the buffered messages first, then the client's own (its disconnect)."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def install(app: FastAPI, settings: Settings, limiter: RateLimiter, texts: Texts) -> None:
    """Hardening inside CORS, so that refusals (413, 429) carry CORS headers too and the widget on a municipal
    page can read them."""
    app.add_middleware(Hardening, settings=settings, limiter=limiter, rate_limited_text=texts.get("rate_limited"))
    origins = [o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID", "Idempotency-Key"],
            expose_headers=["Retry-After", "API-Version"],
            max_age=600,
        )
