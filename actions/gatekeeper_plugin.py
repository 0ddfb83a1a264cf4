"""The action server answers Rasa alone: a shared secret on every call, and only the domain's actions.

Rasa SDK's server runs any registered action for anyone who can reach the port, and an unknown name still
reached the metrics as a label of its own (a cardinality attack). Rasa sends the secret as a header from
bot/endpoints*.yml (`X-Action-Secret: ${GA_ACTION_SECRET}`); this plugin refuses a call without it (403)
and a call for an action the domain does not list (404) before the SDK reads the tracker. /health stays
open for the orchestrator's probe and tells nothing; /metrics holds counts per domain action only.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import pluggy
import yaml
from sanic import Sanic, response

from bot.secrets import load_secret, secret_matches

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)
DOMAIN_ACTIONS = Path(__file__).resolve().parents[1] / "bot" / "domain" / "actions.yml"
SECRET_HEADER = "X-Action-Secret"  # noqa: S105 - a header name, not a secret
OPEN_PATHS = frozenset({"/health", "/metrics"})


@functools.lru_cache(maxsize=1)
def domain_actions() -> frozenset[str]:
    data = yaml.safe_load(DOMAIN_ACTIONS.read_text(encoding="utf-8"))
    return frozenset(data.get("actions") or [])


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    secret = load_secret("GA_ACTION_SECRET")
    if not secret:
        logger.error("GA_ACTION_SECRET is not set: the action server refuses every call")

    @app.on_request
    async def _only_rasa(request):
        if request.path in OPEN_PATHS:
            return None
        if not secret_matches(request.headers.get(SECRET_HEADER), secret):
            return response.json({"error": "forbidden"}, status=403)
        if request.path == "/webhook":
            try:
                name = (request.json or {}).get("next_action")
            except Exception:  # noqa: BLE001 - an unreadable body is refused like an unknown action
                name = None
            if name not in domain_actions():
                return response.json({"error": "unknown action"}, status=404)
        return None
