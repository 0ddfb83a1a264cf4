"""Logs are JSON lines with ids, never a message text or token."""

from __future__ import annotations

import json
import logging

from governance.logs import JsonFormatter, log_config


def test_a_log_line_is_json_with_its_extras():
    record = logging.LogRecord("governance.test", logging.WARNING, __file__, 1, "bot unavailable", (), None)
    record.conversation = "c_123"
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["message"] == "bot unavailable" and line["conversation"] == "c_123"
    assert line["time"].endswith("+00:00")


def test_uvicorn_uses_the_json_formatter_for_every_logger():
    config = log_config()
    assert config["formatters"]["json"]["()"] == "governance.logs.JsonFormatter"
    assert set(config["loggers"]) == {"uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore"}
    # httpx would log every request URL at INFO
    assert config["loggers"]["httpx"]["level"] == "WARNING" and config["loggers"]["httpcore"]["level"] == "WARNING"


def test_the_message_path_logs_no_citizen_text(client, caplog):
    created = client.post("/api/v1/conversations", json={}).json()
    client.app.state.runtime.bot.down = True
    with caplog.at_level(logging.DEBUG):
        client.post(
            f"/api/v1/conversations/{created['conversation_id']}/messages",
            json={"text": "mijn geheime vraag over de kapotte lantaarnpaal"},
            headers={"Authorization": f"Bearer {created['token']}"},
        )
    logged = " ".join(JsonFormatter().format(r) for r in caplog.records)
    assert "bot unavailable" in logged
    assert "lantaarnpaal" not in logged and created["token"] not in logged
