"""Prometheus metrics for the action server: runs and duration per action, and failures.

Labels are action names from the domain (a closed list); nothing about the conversation is recorded.
"""

from __future__ import annotations

import time

import pluggy
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, disable_created_metrics, generate_latest
from sanic import Sanic, response

from actions.gatekeeper_plugin import domain_actions

hookimpl = pluggy.HookimplMarker("rasa_sdk")
disable_created_metrics()

RUNS = Counter("ga_action_runs_total", "Custom actions run, by action and HTTP status", ["action", "status"])
DURATION = Histogram(
    "ga_action_duration_seconds",
    "Time to run a custom action",
    ["action"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    @app.on_request
    async def _start_timer(request) -> None:
        request.ctx.started = time.perf_counter()

    @app.on_response
    async def _count(request, reply) -> None:
        if request.path != "/webhook":
            return
        try:
            action = (request.json or {}).get("next_action") or "unknown"
        except Exception:  # noqa: BLE001 - an unreadable body is counted as unknown
            action = "unknown"
        if action not in domain_actions():
            action = "unknown"  # a closed set of labels, whatever a caller sends
        RUNS.labels(action, str(reply.status)).inc()
        DURATION.labels(action).observe(time.perf_counter() - getattr(request.ctx, "started", time.perf_counter()))

    @app.get("/metrics")
    async def _metrics(_request):
        return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)
