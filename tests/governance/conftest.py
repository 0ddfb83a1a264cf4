"""Fixtures for the governance service: a real app on a temporary SQLite database, with a fake Rasa."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from governance import migrations
from governance.config import Settings
from governance.main import create_app
from governance.rasa_client import ActionTrace, BotUnavailable, ModelStatus


def custom_item(
    topic: str,
    text: str,
    *,
    action: str = "action_answer_from_knowledge_base",
    escalate: bool = False,
    reason: str | None = None,
    buttons: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The REST item our actions produce: one `custom` payload with text, buttons and explanation."""
    return {
        "recipient_id": "x",
        "custom": {
            "text": text,
            "buttons": buttons or [],
            "explanation": {
                "decision_id": None,
                "topic": topic,
                "intent": topic,
                "confidence": 0.93,
                "intent_ranking": [{"name": topic, "confidence": 0.93}],
                "entities": [],
                "action": action,
                "policy": None,
                "sources": [{"title": "Bron", "url": "https://www.voorbeeldstad.example/x"}],
                "escalate": escalate,
                "escalation_reason": reason,
                "pii_redacted": [],
                "model_version": None,
                "summary_nl": f"Ik denk dat je vraag over {topic} gaat.",
            },
        },
    }


class FakeBot:
    """Stands in for Rasa and the action server; records what the gateway sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.down = False
        self.model_loaded = True
        self.actions_up = True
        self.reply: list[dict[str, Any]] | None = None

    async def send(self, *, sender_id: str, message: str, metadata: dict) -> list[dict]:
        self.sent.append({"sender_id": sender_id, "message": message, "metadata": metadata})
        if self.down:
            raise BotUnavailable("connection refused")
        if self.reply is not None:
            return self.reply
        if message == "/crisis":
            return [
                custom_item(
                    "crisis",
                    "Bel 112, 113 (0800-0113) of Veilig Thuis (0800-2000).",
                    action="action_handle_crisis",
                    escalate=True,
                    reason="crisis",
                )
            ]
        if message == "/medewerker":
            return [
                custom_item("medewerker", "Ik zet je door.", action="action_offer_human", escalate=True, reason="citizen_request")
            ]
        return [custom_item("reisdocument", "Een paspoort vraag je aan bij de gemeente.")]

    async def actions_since_last_user_message(self, sender_id: str) -> list[ActionTrace]:
        return [
            ActionTrace("action_answer_from_knowledge_base", "RulePolicy", 1.0),
            ActionTrace("action_handle_crisis", "RulePolicy", 1.0),
            ActionTrace("action_offer_human", "RulePolicy", 1.0),
        ]

    async def model_status(self) -> ModelStatus:
        return ModelStatus(loaded=self.model_loaded, model_version="gemeente-assistent-test" if self.model_loaded else None)

    async def action_server_healthy(self) -> bool:
        return self.actions_up

    async def close(self) -> None:
        return None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    migrations.upgrade(url)
    return Settings(environment="test", database_url=url, rasa_token="t")


@pytest.fixture
def bot() -> FakeBot:
    return FakeBot()


@pytest.fixture
def client(settings: Settings, bot: FakeBot) -> Iterator[TestClient]:
    with TestClient(create_app(settings, bot=bot)) as test_client:
        yield test_client


@pytest.fixture
def conversation(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/v1/conversations", json={})
    assert response.status_code == 201
    return response.json()


def auth(conversation: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {conversation['token']}"}
