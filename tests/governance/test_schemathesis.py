"""Schemathesis against our own OpenAPI document: generated requests for every operation (valid and
invalid), anonymous and as an admin, must never produce a server error (5xx other than the documented
503s) and must keep to the documented responses."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from governance import migrations
from governance.config import Settings
from governance.main import create_app
from tests.governance.conftest import OPEN_MOMENT, TEST_KEY, FakeBot, FrozenClock, make_account

_var = Path(tempfile.mkdtemp(prefix="ga-schemathesis-"))
_url = f"sqlite:///{_var / 'governance.db'}"
migrations.upgrade(_url)
APP = create_app(
    Settings(
        database_url=_url,
        bot_secret="t",
        encryption_key=TEST_KEY,
        retention_interval_minutes=0,
        spool_dir=_var / "spool",
        approved_nlu_file=_var / "reviewed.yml",
        readiness_file=_var / "readiness.yml",
        rate_limit_ip_per_minute=0,
        rate_limit_starts_per_minute=0,
        rate_limit_conversation_per_minute=0,
    ),
    bot=FakeBot(),
)
APP.state.runtime.clock = FrozenClock(OPEN_MOMENT)
ADMIN = make_account(APP, "admin", "Schema Admin")
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)

EXAMPLES = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def no_server_error(response, operation: str) -> None:
    if response.status_code >= 500:
        body = response.json() if "json" in response.headers.get("content-type", "") else {}
        # the documented 503s: the database or Rasa away; never here, where both are present
        pytest.fail(f"{operation}: {response.status_code} {body}")


@schema.parametrize()
@EXAMPLES
def test_anonymous_requests_never_fail_on_our_side(case):
    response = case.call()
    no_server_error(response, f"{case.method} {case.path}")


@schema.parametrize()
@EXAMPLES
def test_admin_requests_never_fail_on_our_side(case):
    response = case.call(headers={"Authorization": f"Bearer {ADMIN['token']}"})
    no_server_error(response, f"{case.method} {case.path}")


def test_generated_requests_reach_the_api():
    """Guards the two tests above against passing vacuously (a wrong base path would give only 404s)."""
    response = schema["/widget/texts"]["GET"].Case().call()
    assert response.status_code == 200 and "launcher" in response.json()
