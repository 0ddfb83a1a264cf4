"""Probes, the widget page and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.governance.conftest import TEST_KEY


def test_healthz_is_always_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_200_only_with_model_actions_and_migrated_database(client, bot):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "rasa_model": "ok", "action_server": "ok"}

    bot.model_loaded = False
    assert client.get("/readyz").status_code == 503
    bot.model_loaded = True
    bot.actions_up = False
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json()["checks"]["action_server"] == "unreachable"


def test_readyz_reports_an_unmigrated_database(tmp_path, bot):
    from fastapi.testclient import TestClient

    from governance.config import Settings
    from governance.main import create_app

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", encryption_key=TEST_KEY, retention_interval_minutes=0)
    with TestClient(create_app(settings, bot=bot)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "not migrated"


def test_widget_page_is_served_with_a_strict_content_security_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    # the demo page of Gemeente Voorbeeldstad embeds the widget with one script tag (the widget itself, its
    # live log region and keyboard use are tested in a real browser: tests/browser)
    assert '<script src="/static/widget.js" defer></script>' in response.text and "Voorbeeldstad" in response.text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert client.get("/static/widget.js").status_code == 200


@pytest.mark.parametrize("name", ["widget.js", "staff.js", "sse.js", "governance.js", "readiness.js", "review-page.js"])
def test_scripts_never_insert_server_text_as_html(name):
    script = (Path(__file__).resolve().parents[2] / "governance" / "static" / name).read_text()
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert risky not in script


def test_widget_texts_come_from_the_configuration(app, client):
    texts = client.get("/api/v1/widget/texts")
    assert texts.status_code == 200
    body = texts.json()
    for key in ("launcher", "title", "notice", "why", "ask_human", "download", "erase", "erase_confirm", "waiting",
                "callback_consent", "feedback_up", "feedback_down", "offline"):  # fmt: skip
        assert body[key].strip(), key
    assert body["title"] == "Digitale assistent van Gemeente Voorbeeldstad"
    assert "{position}" in body["waiting"] and "{minutes}" in body["waiting"]  # the widget fills these in
    script = (Path(__file__).resolve().parents[2] / "governance" / "static" / "widget.js").read_text()
    assert "Waarom dit antwoord?" not in script and "Gesprek wissen" not in script  # no citizen text in code


def test_staff_console_is_served_in_dutch_with_a_strict_policy(client):
    response = client.get("/staff")
    assert response.status_code == 200 and '<html lang="nl">' in response.text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    for label in ("Inloggen", "Wachtrij", "Aannemen", "Terug in de rij", "Afronden", "Interne notitie", "Noodstop"):
        assert label in response.text, label
    # every form control has a label the screen reader announces
    for control in ("token", "reply", "note", "outcome", "return-to-bot", "switch-reason"):
        assert f'for="{control}"' in response.text, control
    assert client.get("/static/staff.js").status_code == 200 and client.get("/static/sse.js").status_code == 200


def test_openapi_document_follows_the_contract(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["version"] == "1.0.0"
    assert set(document["info"]["contact"]) >= {"name", "url", "email"}
    assert document["servers"][0]["url"].endswith("/api/v1")
    assert "/conversations/{conversation_id}/messages" in document["paths"]
    assert "/healthz" not in document["paths"]


def test_every_page_has_the_shared_head_and_its_own_title(client):
    """The pages share one head (governance/templates/_page.html.j2): the theme, the viewport, the language."""
    titles = {
        "/staff": "<title>Medewerkersconsole – digitale assistent</title>",
        "/governance": "<title>Dashboard toezicht – digitale assistent</title>",
        "/governance/readiness": "<title>Gereedheidscheck – digitale assistent</title>",
        "/hoe-werkt-het": "<title>Hoe werkt de digitale assistent?",
    }
    for path, title in titles.items():
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
        assert '<html lang="nl">' in page.text and title in page.text, path
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text, path
        assert '<link rel="stylesheet" href="/static/vendor/nlds.css">' in page.text, path
        assert "Content-Security-Policy" in page.headers, path
    for path in ("/staff", "/governance", "/governance/readiness"):
        page = client.get(path).text
        assert '<a class="skip" href="#main">Naar de inhoud</a>' in page and '<main id="main">' in page, path
    assert '<html lang="en">' in client.get("/hoe-werkt-het?lang=en").text
