"""Who may do what (contract sections 1 and 3): every staff route x every role x no or a wrong token."""

from __future__ import annotations

import subprocess
import sys

import pytest

from governance.audit.models import AuditEntry
from tests.governance.conftest import ROOT_DIR, auth, make_account

# (method, path template, body, roles allowed)
ROUTES = [
    ("GET", "/api/v1/escalations", None, {"agent", "admin"}),
    ("GET", "/api/v1/escalations/{escalation}", None, {"agent", "admin"}),
    ("POST", "/api/v1/escalations/{escalation}/claim", None, {"agent", "admin"}),
    ("POST", "/api/v1/escalations/{escalation}/messages", {"text": "hallo"}, {"agent", "admin"}),
    ("POST", "/api/v1/escalations/{escalation}/notes", {"text": "notitie"}, {"agent", "admin"}),
    ("POST", "/api/v1/escalations/{escalation}/transfer", None, {"agent", "admin"}),
    ("POST", "/api/v1/escalations/{escalation}/resolve", {"outcome": "answered", "return_to_bot": True}, {"agent", "admin"}),
    ("GET", "/api/v1/decisions", None, {"reviewer", "admin"}),
    ("GET", "/api/v1/audit", None, {"reviewer", "admin"}),
    ("GET", "/api/v1/audit/verify", None, {"reviewer", "admin"}),
    ("GET", "/api/v1/admin/kill-switch", None, {"agent", "reviewer", "admin"}),
    ("PUT", "/api/v1/admin/kill-switch", {"enabled": False, "reason": "test van de rechten"}, {"admin"}),
    ("GET", "/api/v1/admin/accounts", None, {"admin"}),
    ("POST", "/api/v1/admin/accounts", {"name": "Nieuw", "role": "agent"}, {"admin"}),
    ("DELETE", "/api/v1/admin/accounts/{other_account}", None, {"admin"}),
    ("POST", "/api/v1/staff-sessions", None, {"agent", "reviewer", "admin"}),
    ("GET", "/api/v1/admin/conversations/{conversation}/export", None, {"reviewer", "admin"}),
    (
        "PUT",
        "/api/v1/admin/conversations/{conversation}/preserve",
        {"preserve": True, "reason": "klacht 2026-17"},
        {"reviewer", "admin"},
    ),
    ("POST", "/api/v1/admin/conversations/{conversation}/erasure", {"reason": "verzoek per brief"}, {"reviewer", "admin"}),
    ("POST", "/api/v1/admin/retention-runs", None, {"admin"}),
    ("GET", "/api/v1/review-items", None, {"reviewer", "admin"}),
    ("POST", "/api/v1/review-items/d_unknown/label", {"topic": "afval"}, {"reviewer", "admin"}),
    ("GET", "/api/v1/nlu-proposals", None, {"reviewer", "admin"}),
    ("POST", "/api/v1/nlu-proposals/p_unknown/approve", None, {"reviewer", "admin"}),
    ("POST", "/api/v1/nlu-proposals/p_unknown/reject", None, {"reviewer", "admin"}),
    ("GET", "/api/v1/knowledge-reviews", None, {"reviewer", "admin"}),
    ("GET", "/api/v1/statistics", None, {"reviewer", "admin"}),
]
CALLERS = ["agent", "reviewer", "admin", "no token", "wrong token", "conversation token"]


@pytest.fixture
def targets(client, staff) -> dict[str, str]:
    conversation = client.post("/api/v1/conversations", json={}).json()
    url = f"/api/v1/conversations/{conversation['conversation_id']}/messages"
    client.post(url, json={"text": "ik wil een medewerker spreken"}, headers=auth(conversation))
    client.post(url, json={"payload": "/accept_human"}, headers=auth(conversation))
    escalation = client.get("/api/v1/escalations", headers=staff["agent"]["headers"]).json()["items"][0]["id"]
    other = make_account(client.app, "agent", "Andere Agent")
    return {
        "escalation": escalation,
        "other_account": other["id"],
        "conversation": conversation["conversation_id"],
        "conversation_token": conversation["token"],
    }


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_access_matrix(client, staff, targets, caller, method, path, body, allowed):
    headers = {
        "agent": staff["agent"]["headers"],
        "reviewer": staff["reviewer"]["headers"],
        "admin": staff["admin"]["headers"],
        "no token": {},
        "wrong token": {"Authorization": "Bearer niet-geldig"},
        "conversation token": {"Authorization": f"Bearer {targets['conversation_token']}"},
    }[caller]
    response = client.request(method, path.format(**targets), json=body, headers=headers)
    if caller in ("no token", "wrong token", "conversation token"):
        assert response.status_code == 401, response.text
    elif caller in allowed:
        assert response.status_code not in (401, 403, 500), response.text
    else:
        assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith(
        ("application/json", "application/problem+json") if response.status_code < 400 else "application/problem+json"
    )


def test_refusals_are_audited_with_who_and_what(client, staff):
    client.get("/api/v1/audit", headers=staff["agent"]["headers"])
    with client.app.state.runtime.session_factory() as session:
        denied = session.query(AuditEntry).filter(AuditEntry.result == "denied").all()
    assert denied and denied[-1].actor_id == staff["agent"]["id"] and denied[-1].object_id == "GET /api/v1/audit"


def test_disabled_account_is_locked_out(client, staff):
    victim = make_account(client.app, "agent", "Vertrokken Agent")
    assert client.post("/api/v1/staff-sessions", headers=victim["headers"]).status_code == 201
    assert client.delete(f"/api/v1/admin/accounts/{victim['id']}", headers=staff["admin"]["headers"]).status_code == 200
    assert client.post("/api/v1/staff-sessions", headers=victim["headers"]).status_code == 401


def test_admin_cannot_disable_own_account(client, staff):
    response = client.delete(f"/api/v1/admin/accounts/{staff['admin']['id']}", headers=staff["admin"]["headers"])
    assert response.status_code == 409


def test_new_account_token_works_once_created_through_the_api(client, staff):
    created = client.post("/api/v1/admin/accounts", json={"name": "Nina", "role": "reviewer"}, headers=staff["admin"]["headers"])
    assert created.status_code == 201
    token = created.json()["token"]
    session = client.post("/api/v1/staff-sessions", headers={"Authorization": f"Bearer {token}"}).json()
    assert session["account"]["role"] == "reviewer" and "review" in session["permissions"]
    bad = client.post("/api/v1/admin/accounts", json={"name": "X", "role": "superuser"}, headers=staff["admin"]["headers"])
    assert bad.status_code == 422


def run_cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = {"DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "governance", *args]
    return subprocess.run(command, cwd=ROOT_DIR, env=env, capture_output=True, text=True, timeout=60)


def test_cli_creates_an_account_whose_token_is_the_last_line(client, settings):
    # a week: the CLI counts from the real time, the test service's clock stands at the next workday
    result = run_cli(settings, "user", "add", "--name", "Carla Contact", "--role", "agent", "--hours", "168")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    response = client.post("/api/v1/staff-sessions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201 and response.json()["account"]["name"] == "Carla Contact"
    assert run_cli(settings, "user", "add", "--name", "X", "--role", "baas").returncode != 0
    listed = run_cli(settings, "user", "list").stdout
    assert "Carla Contact" in listed and token not in listed
    account_id = response.json()["account"]["id"]
    assert run_cli(settings, "user", "disable", "--id", account_id).returncode == 0
    assert client.post("/api/v1/staff-sessions", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_machine_token_with_a_scope_can_do_only_that(client, settings):
    """Issue 17: CLI tokens are for machines, with an expiry and a scope within their role."""
    result = run_cli(settings, "user", "add", "--name", "Monitoring", "--role", "admin", "--scope", "review", "--hours", "168")
    assert result.returncode == 0, result.stderr
    headers = {"Authorization": f"Bearer {result.stdout.strip().splitlines()[-1]}"}
    assert client.get("/api/v1/decisions", headers=headers).status_code == 200
    switch = client.put("/api/v1/admin/kill-switch", json={"enabled": True, "reason": "test"}, headers=headers)
    assert switch.status_code == 403
    assert client.get("/api/v1/escalations", headers=headers).status_code == 403
    assert client.post("/api/v1/staff-sessions", headers=headers).json()["permissions"] == ["review"]
    refused = run_cli(settings, "user", "add", "--name", "X", "--role", "agent", "--scope", "review")
    assert refused.returncode == 2 and "not a permission" in refused.stderr
    assert "token:review" in run_cli(settings, "user", "list").stdout
