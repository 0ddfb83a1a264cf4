"""Staff sign-in with a real OpenID Connect provider (issue 17): the certified npm `oidc-provider`, started by
this module on loopback (tests/oidc/provider.mjs), driven through its own login and consent pages.

Checked as staff would notice it: sign-in as agent, reviewer and admin from group claims; a person in no
mapped group is refused (403); an idle or too old session signs in again; a tampered cookie and a change
without the CSRF token are refused; sign-out ends the session here and at the provider; a person switched
off at the provider is refused at the next request and their account disabled.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from governance.main import create_app
from governance.staff.models import SignInSession, StaffAccount
from governance.staff.sessions import SESSION_COOKIE
from tests.governance.conftest import post_message, start
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, ROLE_MAP, running_provider

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://testserver"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_provider(f"{BASE}/auth/callback", f"{BASE}/staff") as url:
        yield url


@pytest.fixture
def oidc_app(settings, bot, clock, issuer):
    configured = settings.model_copy(
        update={
            "oidc_issuer": issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_role_map": ROLE_MAP,
            "staff_cookie_secure": False,
            "public_base_url": BASE,
        }
    )
    application = create_app(configured, bot=bot)
    application.state.runtime.clock = clock
    return application


@pytest.fixture
def oidc_client(oidc_app) -> Iterator[TestClient]:
    with TestClient(oidc_app, base_url=BASE, follow_redirects=False) as test_client:
        yield test_client


def _submit_form(browser: httpx.Client, page: httpx.Response, **fields: str) -> httpx.Response:
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1))
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return browser.post(urljoin(str(page.url), action), data={**hidden, **fields})


def _through_provider(browser: httpx.Client, url: str, login: str) -> str:
    """Follow the provider's redirects and fill in its login and consent pages; returns our callback URL."""
    response = browser.get(url)
    for _ in range(12):
        if response.status_code in (302, 303):
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(BASE):
                return location
            response = browser.get(location)
        elif 'name="login"' in response.text:
            response = _submit_form(browser, response, login=login, password="welkom")
        elif "<form" in response.text:
            response = _submit_form(browser, response)
        else:
            raise AssertionError(f"unexpected provider page {response.status_code}: {response.text[:300]}")
    raise AssertionError("the provider never sent us back")


def sign_in(client: TestClient, issuer: str, login: str, next_page: str = "/staff") -> httpx.Response:
    started = client.get("/auth/login", params={"next": next_page})
    assert started.status_code == 303 and started.headers["location"].startswith(issuer)
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        callback = _through_provider(browser, started.headers["location"], login)
    parsed = urlparse(callback)
    return client.get(parsed.path, params={k: v[0] for k, v in parse_qs(parsed.query).items()})


def whoami(client: TestClient) -> httpx.Response:
    return client.get("/api/v1/staff-sessions/current")


@pytest.mark.parametrize(("login", "role"), [("anna", "agent"), ("rob", "reviewer"), ("ada", "admin")])
def test_sign_in_gives_the_role_of_the_group(oidc_client, issuer, login, role):
    finished = sign_in(oidc_client, issuer, login)
    assert finished.status_code == 303 and finished.headers["location"] == "/staff"
    cookie = finished.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    me = whoami(oidc_client)
    assert me.status_code == 200
    body = me.json()
    assert body["account"]["role"] == role and body["sign_in"] == "oidc" and body["csrf_token"]


def test_the_account_is_made_once_and_the_audit_names_the_subject(oidc_client, oidc_app, issuer):
    sign_in(oidc_client, issuer, "anna")
    oidc_client.cookies.clear()
    sign_in(oidc_client, issuer, "anna")
    runtime = oidc_app.state.runtime
    with runtime.session_factory() as session:
        accounts = session.query(StaffAccount).filter_by(oidc_subject="anna").all()
        assert len(accounts) == 1 and accounts[0].name == "Anna Agent" and accounts[0].oidc_issuer == issuer
    oidc_client.cookies.clear()
    sign_in(oidc_client, issuer, "rob")  # a reviewer reads the audit log
    entries = oidc_client.get("/api/v1/audit").json()["items"]
    starts = [e for e in entries if e["action"] == "session.start" and e["actor_name"] == "Anna Agent"]
    assert len(starts) == 2 and all(e["detail"]["subject"] == "anna" for e in starts)


def test_a_person_in_no_mapped_group_is_refused_and_audited(oidc_client, issuer):
    refused = sign_in(oidc_client, issuer, "nina")
    assert refused.status_code == 403
    assert "geen rol" in refused.text
    assert whoami(oidc_client).status_code == 401
    sign_in(oidc_client, issuer, "rob")
    entries = oidc_client.get("/api/v1/audit").json()["items"]
    assert any(e["action"] == "session.denied" and e["detail"]["subject"] == "nina" for e in entries)


def test_a_reviewer_may_not_take_the_queue(oidc_client, issuer):
    sign_in(oidc_client, issuer, "rob")
    assert oidc_client.get("/api/v1/escalations").status_code == 403
    assert oidc_client.get("/api/v1/decisions").status_code == 200


def test_an_idle_session_ends_and_asks_to_sign_in_again(oidc_client, issuer, clock):
    sign_in(oidc_client, issuer, "anna")
    assert whoami(oidc_client).status_code == 200
    clock.moment += dt.timedelta(minutes=31)
    expired = whoami(oidc_client)
    assert expired.status_code == 401 and expired.json()["code"] == "staff_session_expired"
    clock.moment += dt.timedelta(minutes=1)
    assert whoami(oidc_client).json()["code"] == "staff_session_missing"


def test_a_session_ends_after_its_absolute_time_however_busy(oidc_client, oidc_app, issuer, clock):
    oidc_app.state.runtime.settings.oidc_recheck_minutes = 24 * 60  # no provider re-check in between
    sign_in(oidc_client, issuer, "anna")
    for _ in range(21):  # a request every 29 minutes for more than ten hours
        clock.moment += dt.timedelta(minutes=29)
        response = whoami(oidc_client)
        if response.status_code != 200:
            break
    assert response.status_code == 401 and response.json()["code"] == "staff_session_expired"


def test_a_tampered_cookie_is_refused(oidc_client, issuer):
    sign_in(oidc_client, issuer, "anna")
    value = oidc_client.cookies.get(SESSION_COOKIE)
    oidc_client.cookies.clear()
    oidc_client.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    refused = whoami(oidc_client)
    assert refused.status_code == 401 and refused.json()["code"] == "staff_session_missing"


def test_a_change_without_the_csrf_token_is_refused_and_with_it_allowed(oidc_client, issuer):
    conversation = start(oidc_client)
    post_message(oidc_client, conversation, text="ik wil een medewerker spreken")
    post_message(oidc_client, conversation, payload="/accept_human")
    sign_in(oidc_client, issuer, "anna")
    [item] = oidc_client.get("/api/v1/escalations").json()["items"]
    refused = oidc_client.post(f"/api/v1/escalations/{item['id']}/claim")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_token_wrong"
    wrong = oidc_client.post(f"/api/v1/escalations/{item['id']}/claim", headers={"X-CSRF-Token": "raden"})
    assert wrong.status_code == 403
    csrf = whoami(oidc_client).json()["csrf_token"]
    claimed = oidc_client.post(f"/api/v1/escalations/{item['id']}/claim", headers={"X-CSRF-Token": csrf})
    assert claimed.status_code == 200 and claimed.json()["state"] == "human"


def test_sign_out_ends_the_session_here_and_sends_the_browser_to_the_provider(oidc_client, issuer):
    sign_in(oidc_client, issuer, "anna")
    csrf = whoami(oidc_client).json()["csrf_token"]
    value = oidc_client.cookies.get(SESSION_COOKIE)
    assert oidc_client.post("/auth/logout").status_code == 403  # no CSRF token: not even a sign-out
    out = oidc_client.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200
    redirect = out.json()["redirect"]
    assert redirect.startswith(f"{issuer}/session/end") and "id_token_hint=" in redirect
    oidc_client.cookies.set(SESSION_COOKIE, value)  # the old cookie, kept by someone, no longer works
    assert whoami(oidc_client).status_code == 401


def test_a_person_switched_off_at_the_provider_is_refused_at_the_next_request(oidc_client, oidc_app, issuer, clock):
    sign_in(oidc_client, issuer, "ada")
    assert whoami(oidc_client).status_code == 200
    httpx.post(f"{issuer}/test/disable/ada").raise_for_status()
    clock.moment += dt.timedelta(minutes=6)  # past the re-check interval
    refused = whoami(oidc_client)
    assert refused.status_code == 401 and refused.json()["code"] == "staff_account_disabled"
    with oidc_app.state.runtime.session_factory() as session:
        account = session.query(StaffAccount).filter_by(oidc_subject="ada").one()
        assert account.active is False
        assert all(s.ended_at is not None for s in session.query(SignInSession).filter_by(account_id=account.id))


def test_a_stale_or_foreign_callback_is_refused(oidc_client, issuer):
    assert oidc_client.get("/auth/callback", params={"state": "x" * 40, "code": "y"}).status_code == 400
    started = oidc_client.get("/auth/login")
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        callback = _through_provider(browser, started.headers["location"], "anna")
    oidc_client.cookies.clear()  # the answer arrives in another browser (no binding cookie)
    parsed = urlparse(callback)
    refused = oidc_client.get(parsed.path, params={k: v[0] for k, v in parse_qs(parsed.query).items()})
    assert refused.status_code == 400 and whoami(oidc_client).status_code == 401


def test_machine_tokens_still_work_beside_the_provider(oidc_client, oidc_app):
    from tests.governance.conftest import make_account

    reviewer = make_account(oidc_app, "reviewer", "Monitoring")
    assert oidc_client.get("/api/v1/decisions", headers=reviewer["headers"]).status_code == 200


def test_the_pages_are_told_to_show_the_providers_sign_in(oidc_client):
    assert oidc_client.get("/auth/config").json() == {"mode": "oidc", "login_url": "/auth/login"}
