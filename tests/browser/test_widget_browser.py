"""The citizen widget in a real browser (Debian's Chromium, driven by playwright-core; no browser download):
keyboard only, reload and network drop, handover with an agent replying through the API, the call-back
form outside office hours, XSS attempts, and axe-core on every state with 0 WCAG 2.1 AA violations.
Screenshots at 1280 and 320 px go to var/test-artefacts/browser/."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from governance import migrations
from governance.config import Settings
from governance.main import create_app
from tests.governance.conftest import (
    OPEN_MOMENT,
    TEST_KEY,
    WEEKEND_MOMENT,
    FakeBot,
    FrozenClock,
    LiveServer,
    custom_item,
    free_port,
    make_account,
    post_message,
    start,
)
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, ROLE_MAP, running_provider

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
ARTEFACTS = ROOT / "var" / "test-artefacts" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed for playwright-core"),
]


@pytest.fixture(scope="module")
def node_modules() -> Path:
    shutil.rmtree(ARTEFACTS, ignore_errors=True)  # screenshots of this run only
    modules = HERE / "node_modules"
    if not (modules / "playwright-core").exists() or not (modules / "axe-core").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            check=True,
            timeout=300,
            env={**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"},
        )
    return modules


def live_service(tmp_path: Path, moment, bot: FakeBot, **overrides):
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    migrations.upgrade(url)
    settings = Settings(database_url=url, bot_secret="t", encryption_key=TEST_KEY, retention_interval_minutes=0, **overrides)
    app = create_app(settings, bot=bot)
    app.state.runtime.clock = FrozenClock(moment)
    return app


def run_scenario(
    name: str, tmp_path: Path, *, moment=OPEN_MOMENT, bot: FakeBot | None = None, app=None, server=None, env=None
) -> dict:
    app = app or live_service(tmp_path, moment, bot or FakeBot())
    agent = make_account(app, "agent", "Anna Agent")
    reviewer = make_account(app, "reviewer", "Rita Reviewer")
    with server or LiveServer(app) as server:
        completed = subprocess.run(
            ["node", str(HERE / "widget.mjs"), name],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=180,
            env={
                **os.environ,
                "BASE_URL": server.url,
                "AGENT_TOKEN": agent["token"],
                "REVIEWER_TOKEN": reviewer["token"],
                "ARTEFACTS": str(ARTEFACTS),
                "CHROMIUM": CHROMIUM,
                **(env or {}),
            },
        )
    assert completed.returncode == 0, completed.stderr[-3000:] + completed.stdout[-2000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    failures = [(state["state"], v) for state in result["axe"] for v in state["violations"]]
    print(f"\n{name}: axe on {len(result['axe'])} states, {len(failures)} violations; checks: {len(result['checks'])}")
    assert failures == [], failures
    return result


def test_full_conversation_by_keyboard_only(node_modules, tmp_path):
    result = run_scenario("keyboard", tmp_path)
    assert "Escape closes and focus returns to the launcher" in result["checks"]
    assert any(path.endswith("-320.png") for path in result["screenshots"])
    assert any(path.endswith("-1280.png") for path in result["screenshots"])


def test_reload_network_drop_download_and_erase(node_modules, tmp_path):
    result = run_scenario("reload", tmp_path)
    assert "the transcript is the same after a reload" in result["checks"]
    assert "the erased conversation is gone from the server" in result["checks"]


def test_handover_with_an_agent_replying_through_the_api(node_modules, tmp_path):
    result = run_scenario("handover", tmp_path)
    assert "the agent's reply arrives over the live stream" in result["checks"]


def test_call_back_form_outside_office_hours(node_modules, tmp_path):
    run_scenario("callback", tmp_path, moment=WEEKEND_MOMENT)


def test_an_arabic_question_gets_the_arabic_message_right_to_left(node_modules, tmp_path):
    result = run_scenario("arabic", tmp_path)
    assert "the Arabic message runs right to left" in result["checks"]
    assert "the citizen's Arabic question runs right to left too" in result["checks"]


def test_an_english_conversation_through_the_language_choice(node_modules, tmp_path):
    bot = FakeBot()
    english = custom_item("reisdocument", "A passport costs € 84,60 if you are 18 or older.")
    english["custom"]["explanation"]["summary_nl"] = "I think your question is about 'Passport and ID card' (certainty 93%)."
    bot.reply = [english]
    result = run_scenario("english", tmp_path, bot=bot)
    assert "the widget's own texts are English" in result["checks"]
    assert "the English answer and 'Why this answer?'" in result["checks"]
    assert bot.sent[-1]["metadata"]["language"] == "en"


def test_html_in_messages_is_inert(node_modules, tmp_path):
    bot = FakeBot()
    reply = custom_item("reisdocument", "<script>window.__xss=3</script><b>vet</b> antwoord")
    reply["custom"]["explanation"]["sources"] = [
        {"title": "Kwaad", "url": "javascript:window.__xss=4"},
        {"title": "Goed", "url": "https://www.voorbeeldstad.example/paspoort"},
    ]
    bot.reply = [reply]
    run_scenario("xss", tmp_path, bot=bot)


def test_staff_and_governance_pages(node_modules, tmp_path):
    result = run_scenario("pages", tmp_path)
    assert any("staff-console" in path for path in result["screenshots"])


def test_staff_sign_in_at_the_provider_and_claim_an_escalation(node_modules, tmp_path):
    """Issue 17: through the real provider's pages (npm oidc-provider), then the console with the cookie."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_provider(f"{base}/auth/callback", f"{base}/staff") as issuer:
        app = live_service(
            tmp_path,
            OPEN_MOMENT,
            FakeBot(),
            oidc_issuer=issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_role_map=ROLE_MAP,
            staff_cookie_secure=False,
            public_base_url=base,
        )
        server = LiveServer(app, port=port)
        with httpx.Client(base_url=base) as citizen, server:
            conversation = start(citizen)
            post_message(citizen, conversation, text="ik wil een medewerker spreken")
            assert post_message(citizen, conversation, payload="/accept_human").json()["state"] == "waiting"
            result = run_scenario("oidc", tmp_path, app=app, server=contextlib.nullcontext(server), env={"ISSUER": issuer})
    assert "the escalation is claimed by the signed-in person" in result["checks"]
    assert "after signing out the session no longer works" in result["checks"]
