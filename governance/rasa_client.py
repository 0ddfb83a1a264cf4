"""The only place that talks to Rasa and the action server (loopback HTTP).

Rasa is reached through its gateway channel (bot/gateway_channel.py) with a shared secret in a header, never
through Rasa's open REST webhook or its HTTP API (which stays off): no token travels in a URL, so none can
end up in a log line.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from governance import metrics
from governance.circuit import CircuitBreaker
from governance.privacy.tracker import ActionTrace, TrackerStore

__all__ = ["ActionTrace", "BotUnavailable", "ModelStatus", "RasaClient"]

# bot/gateway_channel.py
WEBHOOK = "/webhooks/gateway/webhook"
STATUS = "/webhooks/gateway/status"
SECRET_HEADER = "X-Gateway-Secret"  # noqa: S105 - a header name, not a secret


class BotUnavailable(Exception):
    """Rasa or the action server could not produce an answer; the citizen gets a 503 with contact details."""


@dataclass(frozen=True)
class ModelStatus:
    loaded: bool
    model_version: str | None


@dataclass
class Replica:
    url: str
    http: httpx.AsyncClient
    breaker: CircuitBreaker


class RasaClient:
    """One or more Rasa replicas (GOV_RASA_URL, comma-separated). A conversation always goes to the same
    replica (hash of its sender id), so its turns queue at one place; when that replica refuses connections
    or its breaker is open, the next one takes over (in production all share the PostgreSQL tracker store
    and the Redis lock store, so any replica can continue any conversation). Only a refused connection is
    retried elsewhere: after a time-out Rasa may have processed the message, and a second try would
    process it twice."""

    def __init__(
        self,
        *,
        base_url: str,
        secret: str,
        action_server_url: str,
        timeout: float,
        status_ttl: float,
        tracker_store: TrackerStore | None = None,
        breaker: Callable[[], CircuitBreaker] = CircuitBreaker,
    ) -> None:
        urls = [url.strip().rstrip("/") for url in base_url.split(",") if url.strip()]
        headers = {SECRET_HEADER: secret}
        self.replicas = [
            Replica(url, httpx.AsyncClient(base_url=url, timeout=timeout, headers=headers), breaker()) for url in urls
        ]
        self._tracker_store = tracker_store
        self._actions = httpx.AsyncClient(base_url=action_server_url, timeout=min(timeout, 5.0))
        self._status_ttl = status_ttl
        self._status: tuple[float, ModelStatus] | None = None
        self._refresh: asyncio.Task[ModelStatus] | None = None

    async def close(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
        for replica in self.replicas:
            await replica.http.aclose()
        await self._actions.aclose()

    def _for(self, sender_id: str) -> list[Replica]:
        first = zlib.crc32(sender_id.encode("utf-8")) % len(self.replicas)
        return self.replicas[first:] + self.replicas[:first]

    async def send(self, *, sender_id: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        reason = "no Rasa replica configured"
        try:
            for replica in self._for(sender_id):
                if not replica.breaker.allow():
                    reason = f"circuit open for {replica.url}: it failed several times in a row"
                    continue
                try:
                    response = await replica.http.post(
                        WEBHOOK, json={"sender": sender_id, "message": message, "metadata": metadata}
                    )
                    response.raise_for_status()
                    items = response.json()
                except httpx.ConnectError as exc:
                    replica.breaker.failed()
                    reason = f"{replica.url} refused the connection: {exc}"
                    continue  # nothing was processed there: the next replica may answer
                except (httpx.HTTPError, ValueError) as exc:
                    replica.breaker.failed()
                    raise BotUnavailable(f"{replica.url}: {exc!r}") from exc
                if not isinstance(items, list) or not items:
                    # Rasa answers [] with HTTP 200 when it has no model or an action failed (rasa-notes 1, 4).
                    replica.breaker.failed()
                    raise BotUnavailable(f"{replica.url} returned no messages")
                replica.breaker.succeeded()
                return items
            raise BotUnavailable(reason)
        finally:
            metrics.BOT_CIRCUIT_OPEN.set(sum(r.breaker.state != "closed" for r in self.replicas))

    async def actions_since_last_user_message(self, sender_id: str) -> list[ActionTrace]:
        """Policy and confidence of the actions Rasa just ran, read from the tracker store's rows (rasa-notes
        section 2): Rasa's HTTP API, which could also tell, is off. No store configured: none known."""
        if self._tracker_store is None or not self._tracker_store.configured:
            return []
        traces = await run_in_threadpool(self._tracker_store.recent_actions, sender_id)
        return traces or []

    async def model_status(self, *, allow_stale: bool = False) -> ModelStatus:
        """Rasa's loaded model. Readiness asks for a fresh answer; a citizen's turn takes the cached one and
        refreshes it in the background, so no turn waits for /status (it showed as a p99 spike)."""
        now = time.monotonic()
        cached = self._status
        if cached and cached[1].loaded and now - cached[0] < self._status_ttl:
            return cached[1]
        if allow_stale and cached and cached[1].loaded:
            if self._refresh is None or self._refresh.done():
                self._refresh = asyncio.create_task(self._fetch_status())
            return cached[1]
        return await self._fetch_status()

    async def _fetch_status(self) -> ModelStatus:
        """The first replica that has a model loaded answers for all (they run the same model file)."""
        status = ModelStatus(loaded=False, model_version=None)
        for replica in self.replicas:
            try:
                response = await replica.http.get(STATUS, timeout=3.0)
                body = response.json() if response.status_code == 200 else {}
            except (httpx.HTTPError, ValueError):
                body = {}
            model_file = body.get("model_file") if isinstance(body, dict) else None
            if model_file:
                status = ModelStatus(loaded=True, model_version=_model_version(model_file))
                break
        self._status = (time.monotonic(), status)
        return status

    async def action_server_healthy(self) -> bool:
        try:
            response = await self._actions.get("/health", timeout=3.0)
            return response.status_code == 200
        except httpx.HTTPError:
            return False


def _model_version(model_file: str | None) -> str | None:
    if not model_file:
        return None
    name = model_file.rsplit("/", 1)[-1]
    return name.removesuffix(".tar.gz")
