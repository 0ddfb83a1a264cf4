"""/metrics after a scripted conversation: each figure moved by exactly what happened."""

from __future__ import annotations

import re

from tests.governance.conftest import post_message, say, start


def scrape(client) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    values = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def moved(before: dict[str, float], after: dict[str, float], name: str) -> float:
    return after.get(name, 0.0) - before.get(name, 0.0)


def test_metrics_follow_a_scripted_conversation(client, staff):
    before = scrape(client)
    conversation = start(client)
    say(client, conversation, text="wat kost een paspoort")
    say(client, conversation, text="mijn bsn is 123456782")
    assert post_message(client, conversation, text="").status_code == 422
    say(client, conversation, text="mijn partner slaat me")  # crisis: straight into the queue
    headers = staff["agent"]["headers"]
    escalation = client.get("/api/v1/escalations", headers=headers).json()["items"][0]["id"]
    waiting = scrape(client)
    client.post(f"/api/v1/escalations/{escalation}/claim", headers=headers)
    client.post(
        f"/api/v1/escalations/{escalation}/resolve", json={"outcome": "crisis_referred", "return_to_bot": True}, headers=headers
    )
    client.put("/api/v1/admin/kill-switch", json={"enabled": True, "reason": "test"}, headers=staff["admin"]["headers"])
    after = scrape(client)

    assert moved(before, after, "ga_conversations_started_total") == 1
    assert moved(before, after, "ga_ai_disclosures_total") == 1
    assert moved(before, after, 'ga_messages_total{role="citizen"}') == 3  # the empty one was refused
    assert moved(before, after, 'ga_bot_answers_total{topic="reisdocument"}') == 2
    assert moved(before, after, 'ga_bot_answers_total{topic="crisis"}') == 1
    assert moved(before, after, 'ga_escalations_total{reason="crisis"}') == 1
    assert moved(before, after, 'ga_handovers_total{reason="crisis"}') == 1
    assert moved(before, after, "ga_staff_takeovers_total") == 1
    assert moved(before, after, 'ga_escalations_resolved_total{outcome="crisis_referred"}') == 1
    assert moved(before, after, "ga_time_to_human_seconds_count") == 1
    assert moved(before, after, 'ga_pii_redactions_total{type="bsn"}') == 1
    assert moved(before, after, 'ga_problem_responses_total{status="422"}') == 1
    assert moved(before, after, 'ga_intent_confidence_count{topic_group="services"}') == 2
    assert moved(before, after, "ga_turn_duration_seconds_count") == 3
    assert moved(before, after, "ga_rasa_request_duration_seconds_count") == 3
    assert waiting['ga_queue_length{kind="chat"}'] == 1 and after['ga_queue_length{kind="chat"}'] == 0
    assert after["ga_kill_switch_enabled"] == 1 and before["ga_kill_switch_enabled"] == 0


def test_no_label_carries_an_id_or_a_text(client):
    conversation = start(client)
    say(client, conversation, text="mijn bsn is 123456782, wat kost een paspoort")
    body = client.get("/metrics").text
    ours = "\n".join(line for line in body.splitlines() if line.startswith("ga_"))
    labels = re.findall(r'\w+="([^"]*)"', ours)
    assert conversation["conversation_id"] not in body and "123456782" not in body and "paspoort" not in body
    assert all(re.fullmatch(r"[a-z_0-9.+]+|\+Inf", value) for value in labels), set(labels)


def test_metric_names_follow_prometheus_conventions(client):
    body = client.get("/metrics").text
    for family in re.findall(r"^# TYPE (ga_\w+) (\w+)", body, re.M):
        name, kind = family
        if kind == "counter":
            assert name.endswith("_total") or not name.endswith("_seconds"), name
        if "duration" in name or "time_to" in name:
            assert name.endswith("_seconds"), name


def test_confidence_of_sensitive_topics_is_grouped_by_the_knowledge_files_flag(client):
    before = scrape(client)
    say(client, start(client), text="ik heb schulden")  # schulden.yml says sensitive: true
    after = scrape(client)
    assert moved(before, after, 'ga_intent_confidence_count{topic_group="sensitive"}') == 1
    assert moved(before, after, 'ga_intent_confidence_count{topic_group="services"}') == 0


def test_several_workers_report_one_sum(tmp_path):
    """With two uvicorn workers every scrape lands on one of them; in multiprocess mode each scrape still
    shows what all workers counted, so Prometheus never sees a counter jump back and forth."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    from governance.config import PROJECT_ROOT
    from tests.governance.conftest import free_port

    port = free_port()
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999.db").write_bytes(b"left over from an earlier run")
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "GOV_DATABASE_URL": f"sqlite:///{tmp_path / 'governance.db'}",
        "GOV_ENCRYPTION_KEY_FILE": str(tmp_path / "secret.key"),
        "GOV_PORT": str(port),
        "GOV_RETENTION_INTERVAL_MINUTES": "0",
        "GOV_RASA_URL": "http://127.0.0.1:9",  # no Rasa needed: starting a conversation does not ask it
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "governance", "serve", "--workers", "2"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the service did not start"
                time.sleep(0.2)
            for _ in range(12):
                # a new connection each time, so the operating system spreads them over the workers
                assert httpx.post(f"http://127.0.0.1:{port}/api/v1/conversations", json={}).status_code == 201
            seen = {scrape(httpx.Client(base_url=f"http://127.0.0.1:{port}"))["ga_conversations_started_total"] for _ in range(8)}
            assert seen == {12.0}
            assert len(list(metrics_dir.glob("counter_*.db"))) >= 1
            assert not (metrics_dir / "counter_999.db").exists(), "files of an earlier run would be counted again"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_command_line_loads_no_metrics_before_it_clears_an_earlier_runs_files():
    """`serve` empties PROMETHEUS_MULTIPROC_DIR before the workers start; a metric created in the parent
    before that would lose its file and the workers' /metrics would fail (seen when the audit log's texts
    came in through governance.errors, which imports the metrics)."""
    import subprocess
    import sys

    probe = "import sys, governance.__main__; print('governance.metrics' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "False"
