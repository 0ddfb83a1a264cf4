"""End to end, issue 15: the privacy screen and the hardening on the real stack (action server, Rasa, gateway).

The PII set (tests/privacy/pii_stack_set.yml) goes through the citizen API; then every file the stack wrote
(both databases with their WAL files, Rasa's tracker store, the logs, the spool) is searched for each raw
value, the tracker store's rows are read, and the doors around Rasa and the action server are tried without
the shared secrets.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"GATEWAY_PORT": "18200", "RASA_PORT": "15205", "ACTIONS_PORT": "15255"}
BASE = f"http://127.0.0.1:{PORTS['GATEWAY_PORT']}"
RASA = f"http://127.0.0.1:{PORTS['RASA_PORT']}"
ACTIONS = f"http://127.0.0.1:{PORTS['ACTIONS_PORT']}"
PII_SET = yaml.safe_load((ROOT / "tests" / "privacy" / "pii_stack_set.yml").read_text(encoding="utf-8"))["messages"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    var = tmp_path_factory.mktemp("hardened")
    bot_secret, action_secret = secrets.token_hex(24), secrets.token_hex(24)
    env = {
        **os.environ,
        **PORTS,
        "GA_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'governance.db'}",
        "GOV_SPOOL_DIR": str(var / "spool"),
        "GOV_CHAT_STAFFED": "always",
        "GOV_RATE_LIMIT_IP_PER_MINUTE": "0",
        "GOV_RATE_LIMIT_STARTS_PER_MINUTE": "0",
        "GOV_RATE_LIMIT_CONVERSATION_PER_MINUTE": "0",
        "GA_BOT_SECRET": bot_secret,
        "GA_ACTION_SECRET": action_secret,
    }
    result = subprocess.run(
        [str(ROOT / "scripts" / "stack.sh"), "--background"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=400
    )
    assert result.returncode == 0, result.stderr[-4000:]
    pids = [int(p) for p in (var / "stack.pids").read_text().split()]
    info = {"var": var, "pids": dict(zip(["actions", "rasa", "governance"], pids, strict=True)), "env": env}
    info["secrets"] = {"bot": bot_secret, "action": action_secret}
    with httpx.Client(base_url=BASE, timeout=30) as client:
        info["replies"], info["export"] = send_the_pii_set(client)
        yield client, info
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


def send_the_pii_set(client: httpx.Client) -> tuple[list[dict], str]:
    """Each message in a new conversation, and all of them once more in one long conversation, whose export
    (what a citizen downloads) is returned too."""
    replies = []
    for item in PII_SET:
        created = client.post("/api/v1/conversations", json={}).json()
        reply = client.post(
            f"/api/v1/conversations/{created['conversation_id']}/messages",
            json={"text": item["text"]},
            headers={"Authorization": f"Bearer {created['token']}"},
        )
        assert reply.status_code == 200, (item["text"], reply.text)
        replies.append(reply.json())
    created = client.post("/api/v1/conversations", json={}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    for item in PII_SET:
        response = client.post(
            f"/api/v1/conversations/{created['conversation_id']}/messages", json={"text": item["text"]}, headers=headers
        )
        assert response.status_code in (200, 409), response.text  # 409: handed to a person meanwhile, still stored
    export = client.get(f"/api/v1/conversations/{created['conversation_id']}/export", headers=headers)
    assert export.status_code == 200
    return replies, export.text


def written_files(var: Path) -> list[Path]:
    return [path for path in var.rglob("*") if path.is_file()]


def test_no_raw_value_is_in_any_file_the_system_wrote(stack):
    _, info = stack
    time.sleep(1)  # let the stores write their WAL pages
    files = written_files(info["var"])
    names = {path.name for path in files}
    assert {"governance.db", "rasa-tracker.db", "governance.log", "rasa.log", "actions.log"} <= names, names
    contents = {path.name: path.read_bytes().lower() for path in files}
    contents["conversation export"] = info["export"].lower().encode()
    found = []
    for item in PII_SET:
        for value in item["values"]:
            # as a whole word: "homo" inside a random id ("c_xHoMo9…") is no leak; plain and JSON-escaped
            forms = {value.lower(), json.dumps(value.lower())[1:-1]}
            pattern = re.compile(b"(?<![a-z0-9_-])(?:" + b"|".join(re.escape(f.encode()) for f in forms) + b")(?![a-z0-9_-])")
            found += [f"{value!r} in {name}" for name, data in contents.items() if pattern.search(data)]
    assert found == [], found
    print(
        f"\nsearched {len(files)} files ({sum(len(d) for d in contents.values()) // 1024} KiB) for "
        f"{sum(len(i['values']) for i in PII_SET)} raw values of {len(PII_SET)} messages: {len(found)} found"
    )


def test_the_tracker_store_holds_only_redacted_text(stack):
    _, info = stack
    with contextlib.closing(sqlite3.connect(info["var"] / "rasa-tracker.db")) as db:
        texts = [json.loads(data).get("text") or "" for (data,) in db.execute("SELECT data FROM events WHERE type_name = 'user'")]
    # every first message; the long conversation stops reaching Rasa once it is handed to a person
    assert len(texts) > len(PII_SET)
    joined = "\n".join(texts).lower()
    for item in PII_SET:
        for value in item["values"]:
            assert value.lower() not in joined, value
    for placeholder in ("[naam]", "[adres]", "[bsn]", "[kenmerk]", "[gezondheid]", "[geloof]", "[strafrecht]"):
        assert placeholder in joined, placeholder


def test_the_explanation_names_what_was_removed(stack):
    _, info = stack
    first = info["replies"][0]["messages"]
    explained = [m["explanation"] for m in first if m.get("explanation")]
    assert explained and "name" in explained[0]["pii_redacted"]
    assert "een naam uit je bericht gehaald" in explained[0]["summary_nl"]  # what "Waarom dit antwoord?" shows
    notices = [m["text"] for m in first if m["role"] == "system"]
    assert any("een naam" in text for text in notices), notices


def test_rasa_answers_only_the_gateway(stack):
    _, info = stack
    with httpx.Client(base_url=RASA, timeout=10) as rasa:
        message = {"sender": "intruder", "message": "hoi"}
        assert rasa.post("/webhooks/rest/webhook", json=message).status_code == 404  # Rasa's open channel is off
        assert rasa.post("/webhooks/gateway/webhook", json=message).status_code == 403
        wrong = {"X-Gateway-Secret": "raden"}
        assert rasa.post("/webhooks/gateway/webhook", json=message, headers=wrong).status_code == 403
        assert rasa.get("/webhooks/gateway/status").status_code == 403
        # the HTTP API is off: no model upload, no tracker, no status
        assert rasa.get("/status").status_code == 404
        assert rasa.put("/model", json={"model_file": "/tmp/x.tar.gz"}).status_code in (404, 405)
        assert rasa.get("/conversations/intruder/tracker").status_code == 404
        right = {"X-Gateway-Secret": info["secrets"]["bot"]}
        status = rasa.get("/webhooks/gateway/status", headers=right)
        assert status.status_code == 200 and status.json()["model_file"]


def test_the_action_server_answers_only_rasa_and_only_domain_actions(stack):
    _, info = stack
    call = {"next_action": "action_answer_from_knowledge_base", "sender_id": "x", "tracker": {}, "domain": {}}
    with httpx.Client(base_url=ACTIONS, timeout=10) as actions:
        assert actions.get("/health").status_code == 200
        assert actions.post("/webhook", json=call).status_code == 403
        assert actions.get("/actions").status_code == 403
        right = {"X-Action-Secret": info["secrets"]["action"]}
        for name in ("action_drop_database", "utter_x" * 50):
            assert actions.post("/webhook", json={**call, "next_action": name}, headers=right).status_code == 404
        metrics = actions.get("/metrics").text
    assert "action_drop_database" not in metrics and "utter_x" not in metrics


def test_no_secret_on_a_command_line_or_in_a_log(stack):
    _, info = stack
    values = [info["secrets"]["bot"].encode(), info["secrets"]["action"].encode()]
    for name, pid in info["pids"].items():
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
        assert not any(v in command_line for v in values), name
        assert b"--auth-token" not in command_line and b"--enable-api" not in command_line, name
    for log in (info["var"] / "logs").glob("*.log"):
        data = log.read_bytes()
        assert not any(v in data for v in values), log.name
        assert b"token=" not in data, log.name


def test_what_the_stack_writes_is_readable_by_its_user_only(stack):
    _, info = stack
    var = info["var"]
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    loose = [
        f"{path.relative_to(var)} {oct(stat.S_IMODE(path.stat().st_mode))}"
        for path in [*var.rglob("*")]
        if stat.S_IMODE(path.stat().st_mode) & 0o077
    ]
    assert loose == [], loose
