"""The only way into Rasa: a REST channel that answers the governance gateway alone.

Rasa's built-in REST webhook takes messages from anyone who can reach the port, with no token (rasa-notes
section 4): a local process could bypass the PII screen, the safety rules, the kill switch and the decision
log, or add turns to a real citizen's conversation. This channel is the REST channel behind a shared
secret (header X-Gateway-Secret, from GA_BOT_SECRET or GA_BOT_SECRET_FILE), and credentials.yml lists it
alone. It also reports the loaded model (GET /webhooks/gateway/status), the one thing the gateway needed
Rasa's HTTP API for, so Rasa runs without --enable-api and without a token on its command line.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.secrets import load_secret, secret_matches

SECRET_HEADER = "X-Gateway-Secret"  # noqa: S105 - a header name, not a secret


class GatewayInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayInput:
        return cls()

    def blueprint(self, on_new_message) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        secret = load_secret("GA_BOT_SECRET")

        @webhook.middleware("request")
        async def require_the_gateway(request: Request):
            if not secret_matches(request.headers.get(SECRET_HEADER), secret):
                return response.json({"error": "forbidden"}, status=403)
            return None

        @webhook.route("/status", methods=["GET"])
        async def status(request: Request):
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"error": "no model loaded"}, status=409)
            return response.json({"model_file": agent.processor.model_filename, "model_id": agent.model_id})

        return webhook
