"""The only place that talks to Rasa and the action server (loopback HTTP)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from governance.privacy.tracker import ActionTrace, TrackerStore, actions_after_last_user_event

__all__ = ["ActionTrace", "BotUnavailable", "ModelStatus", "RasaClient"]


class BotUnavailable(Exception):
    """Rasa or the action server could not produce an answer; the citizen gets a 503 with contact details."""


@dataclass(frozen=True)
class ModelStatus:
    loaded: bool
    model_version: str | None


class RasaClient:
    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        action_server_url: str,
        timeout: float,
        status_ttl: float,
        tracker_store: TrackerStore | None = None,
    ) -> None:
        self._tracker_store = tracker_store
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._actions = httpx.AsyncClient(base_url=action_server_url, timeout=min(timeout, 5.0))
        self._token = token
        self._status_ttl = status_ttl
        self._status: tuple[float, ModelStatus] | None = None
        self._refresh: asyncio.Task[ModelStatus] | None = None

    async def close(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
        await self._http.aclose()
        await self._actions.aclose()

    async def send(self, *, sender_id: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            response = await self._http.post(
                "/webhooks/rest/webhook", json={"sender": sender_id, "message": message, "metadata": metadata}
            )
            response.raise_for_status()
            items = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise BotUnavailable(str(exc)) from exc
        if not isinstance(items, list) or not items:
            # Rasa answers [] with HTTP 200 when it has no model or an action failed (rasa-notes section 1, 4).
            raise BotUnavailable("Rasa returned no messages")
        return items

    async def actions_since_last_user_message(self, sender_id: str) -> list[ActionTrace]:
        """Policy and confidence of the actions Rasa just ran, from the tracker (rasa-notes section 2): read from
        the tracker store's rows when the service can reach them, else from Rasa's tracker endpoint."""
        if self._tracker_store is not None and self._tracker_store.configured:
            traces = await run_in_threadpool(self._tracker_store.recent_actions, sender_id)
            if traces is not None:
                return traces
        try:
            response = await self._http.get(
                f"/conversations/{sender_id}/tracker", params={"include_events": "AFTER_RESTART", "token": self._token}
            )
            response.raise_for_status()
            events = response.json().get("events", [])
        except (httpx.HTTPError, ValueError, AttributeError):
            return []
        return actions_after_last_user_event(events)

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
        try:
            response = await self._http.get("/status", params={"token": self._token}, timeout=3.0)
            body = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            body = {}
        model_file = body.get("model_file") if isinstance(body, dict) else None
        status = ModelStatus(loaded=bool(model_file), model_version=_model_version(model_file))
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
