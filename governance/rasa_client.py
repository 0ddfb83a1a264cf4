"""The only place that talks to Rasa and the action server (loopback HTTP)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx


class BotUnavailable(Exception):
    """Rasa or the action server could not produce an answer; the citizen gets a 503 with contact details."""


@dataclass(frozen=True)
class ActionTrace:
    """What Rasa's tracker says about an action it ran: the policy and confidence the action itself cannot see."""

    name: str
    policy: str | None
    confidence: float | None


@dataclass(frozen=True)
class ModelStatus:
    loaded: bool
    model_version: str | None


class RasaClient:
    def __init__(self, *, base_url: str, token: str, action_server_url: str, timeout: float, status_ttl: float) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._actions = httpx.AsyncClient(base_url=action_server_url, timeout=min(timeout, 5.0))
        self._token = token
        self._status_ttl = status_ttl
        self._status: tuple[float, ModelStatus] | None = None

    async def close(self) -> None:
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
        """Policy and confidence of the actions Rasa just ran, from the tracker (rasa-notes section 2)."""
        try:
            response = await self._http.get(
                f"/conversations/{sender_id}/tracker", params={"include_events": "AFTER_RESTART", "token": self._token}
            )
            response.raise_for_status()
            events = response.json().get("events", [])
        except (httpx.HTTPError, ValueError):
            return []
        traces: list[ActionTrace] = []
        for event in reversed(events):
            if event.get("event") == "user":
                break
            if event.get("event") == "action" and event.get("name") not in ("action_listen", None):
                traces.append(ActionTrace(event["name"], event.get("policy"), event.get("confidence")))
        return list(reversed(traces))

    async def model_status(self) -> ModelStatus:
        now = time.monotonic()
        if self._status and now - self._status[0] < self._status_ttl and self._status[1].loaded:
            return self._status[1]
        try:
            response = await self._http.get("/status", params={"token": self._token}, timeout=3.0)
            body = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            body = {}
        model_file = body.get("model_file")
        status = ModelStatus(loaded=bool(model_file), model_version=_model_version(model_file))
        self._status = (now, status)
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
