"""Monitoring as code: alert rules pass promtool's checks and unit tests, every metric a rule or dashboard
panel names exists, and docker-compose.yml only refers to files and settings the repository has."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "monitoring"
PROMQL_FUNCTIONS = {
    "sum", "rate", "increase", "histogram_quantile", "clamp_min", "max", "min", "absent", "topk", "by", "le",
    "offset", "and", "or", "on", "without", "count", "avg",
}  # fmt: skip


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], cwd=MONITORING, capture_output=True, text=True, timeout=120)


needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool is not installed (Debian package 'prometheus'; scripts/test.sh installs it where apt-get can)",
)


@needs_promtool
def test_rules_and_config_pass_promtool_check():
    rules = promtool("check", "rules", "alerts.rules.yml")
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = promtool("check", "config", "prometheus.yml")
    assert config.returncode == 0, config.stdout + config.stderr


@needs_promtool
def test_alert_unit_tests_pass():
    result = promtool("test", "rules", "tests/alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_dutch_summary_and_a_runbook_line():
    groups = yaml.safe_load((MONITORING / "alerts.rules.yml").read_text(encoding="utf-8"))["groups"]
    alerts = [r for g in groups for r in g["rules"] if "alert" in r]
    names = {a["alert"] for a in alerts}
    assert {
        "GaContainmentDropped", "GaFallbackSpike", "GaConfidenceDrift", "GaQueueWaitTooLong",
        "GaEscalationsNotPickedUp", "GaKillSwitchOn", "GaErrorRate", "GaRasaDown",
    } <= names  # fmt: skip
    tested = set(re.findall(r"alertname: (\w+)", (MONITORING / "tests" / "alerts.test.yml").read_text()))
    assert names <= tested, names - tested
    for alert in alerts:
        assert alert["annotations"]["summary"] and alert["annotations"]["runbook"], alert["alert"]
        assert re.search(r"\b(de|het|een|niet|wacht|is)\b", alert["annotations"]["summary"]), alert["alert"]


def exposed_metrics(client) -> set[str]:
    names = set(re.findall(r"^# TYPE (\w+) (\w+)", client.get("/metrics").text, re.M))
    source = (ROOT / "actions" / "metrics_plugin.py").read_text()
    names |= {(n, k.lower()) for k, n in re.findall(r"(Counter|Histogram|Gauge)\(\s*\"(\w+)\"", source)}
    series = set()
    for name, kind in names:
        series.add(name)
        if kind == "histogram":
            series |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    return series


def metric_names(expr: str) -> set[str]:
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r'"[^"]*"', "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b\d+(?:\.\d+)?(?:e-?\d+)?\b", "", expr)  # numbers such as 1e-9
    return {t for t in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr) if t not in PROMQL_FUNCTIONS and not t.isdigit()}


def recording_rules() -> set[str]:
    groups = yaml.safe_load((MONITORING / "alerts.rules.yml").read_text(encoding="utf-8"))["groups"]
    return {r["record"] for g in groups for r in g["rules"] if "record" in r}


def test_rules_only_name_metrics_that_exist(client):
    known = exposed_metrics(client) | recording_rules() | {"up", "le", "w", "h", "m", "job", "topic_group"}
    groups = yaml.safe_load((MONITORING / "alerts.rules.yml").read_text(encoding="utf-8"))["groups"]
    for rule in (r for g in groups for r in g["rules"]):
        missing = metric_names(rule["expr"]) - known
        assert not missing, (rule.get("alert") or rule.get("record"), missing)


def test_dashboard_is_valid_and_every_panel_names_an_existing_metric(client):
    dashboard = json.loads((MONITORING / "grafana" / "dashboards" / "gemeente-assistent.json").read_text(encoding="utf-8"))
    known = exposed_metrics(client) | recording_rules() | {"le", "topic_group", "kind", "reason", "topic", "type"}
    titles = [p["title"] for p in dashboard["panels"]]
    for wanted in ("Gesprekken", "containment", "Escalaties", "Zekerheid", "p50/p95/p99", "Wachtrij"):
        assert any(wanted in t for t in titles), wanted
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = metric_names(target["expr"]) - {"status", "rating", "outcome", "action"}
            assert names and not (names - known), (panel["title"], names - known)
    datasource = yaml.safe_load((MONITORING / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert datasource["datasources"][0]["uid"] == dashboard["panels"][0]["datasource"]["uid"]


# --- docker-compose ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_every_part_with_a_healthcheck(compose):
    services = compose["services"]
    assert set(services) == {"rasa", "rasa-2", "actions", "governance", "postgres", "redis", "prometheus", "grafana"}
    for name, service in services.items():
        assert "healthcheck" in service, name


def test_rasa_and_the_action_server_are_not_published(compose):
    for name in ("rasa", "rasa-2", "actions"):
        assert "ports" not in compose["services"][name], name
    for name in ("rasa", "rasa-2"):
        command = compose["services"][name]["command"]
        # no HTTP API and no secret on a command line: the gateway channel takes its secret from the environment
        assert "--enable-api" not in command and "--auth-token" not in command and "GA_BOT_SECRET" not in command
    governance = compose["services"]["governance"]
    assert governance["environment"]["GOV_RASA_URL"] == "http://rasa:5005,http://rasa-2:5005"


def test_every_file_compose_refers_to_exists(compose):
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            assert (ROOT / build["context"] / build["dockerfile"]).is_file(), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), (name, source)
        command = service.get("command")
        text = " ".join(command) if isinstance(command, list) else str(command or "")
        for path in re.findall(r"\b(?:bot|monitoring|docker)/[\w./-]+", text):
            assert (ROOT / path).exists(), (name, path)


def test_secrets_come_from_the_env_file_and_the_example_lists_them(compose):
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    set_in_containers = {key for service in compose["services"].values() for key in (service.get("environment") or {})}
    used = set(re.findall(r"\$\{(\w+)\}", text)) - set_in_containers
    example = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if line and not line.startswith("#")
    )
    assert used <= set(example), used - set(example)
    inline = re.findall(r"(?i)^\s*\w*(?:password|token|secret)\w*:\s*(?![\"']?\$)\S.*$", text, re.M)
    assert inline == [], inline
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_the_image_trains_with_the_same_project_arguments_as_make_train():
    lib = (ROOT / "scripts" / "lib.sh").read_text()
    args = re.search(r"RASA_PROJECT_ARGS=\((.*?)\)", lib).group(1).split()
    dockerfile = (ROOT / "docker" / "bot.Dockerfile").read_text().replace("\\\n", " ")
    train = re.search(r"rasa train (.*?) --out", dockerfile).group(1).split()
    assert train == args
