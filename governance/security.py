"""HTTP hardening in one place: security headers on every response, CORS only for the configured origins
of municipal pages that embed the widget, and the citizen API's rate limits (429, Dutch, Retry-After)."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware

from governance import metrics
from governance.config import Settings
from governance.errors import problem_response
from governance.ratelimit import Limit, RateLimiter

CITIZEN_PATHS = ("/api/v1/conversations", "/api/v1/widget")
MESSAGE_PATH = re.compile(r"^/api/v1/conversations/([^/]{1,64})/(messages|callback|feedback)$")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def install(app: FastAPI, settings: Settings) -> RateLimiter:
    limiter = RateLimiter(settings.redis_url)
    ip_limit = Limit("ip", settings.rate_limit_ip_per_minute)
    start_limit = Limit("start", settings.rate_limit_starts_per_minute)
    conversation_limit = Limit("conversation", settings.rate_limit_conversation_per_minute)
    https = settings.public_base_url.startswith("https://")

    @app.middleware("http")
    async def _rate_limit(request: Request, call_next):
        path = request.url.path
        if path.startswith(CITIZEN_PATHS) and request.method != "OPTIONS":
            address = request.client.host if request.client else "unknown"
            checks = [(ip_limit, address)]
            if request.method == "POST" and path == "/api/v1/conversations":
                checks.append((start_limit, address))
            if request.method == "POST" and (match := MESSAGE_PATH.match(path)):
                checks.append((conversation_limit, match.group(1)))
            for limit, key in checks:
                wait = await run_in_threadpool(limiter.check, limit, key) if limiter.shared else limiter.check(limit, key)
                if wait is not None:
                    metrics.RATE_LIMITED.labels(limit.scope).inc()
                    response = problem_response(
                        429, "rate_limited", "Je stuurt veel berichten kort na elkaar. Wacht even en probeer het dan opnieuw."
                    )
                    response.headers["Retry-After"] = str(int(wait))
                    return response
        return await call_next(request)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/v1") and "cache-control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"  # conversations and staff data are never cached
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

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
    return limiter
