"""Compliance paperwork from the running system (issue 7): the register export validates against the
standard and carries the live figures; DPIA and IAMA drafts hold the configured values and mark the human
parts; every readiness check turns green when its evidence exists and red (or amber) when it does not; the
staff guide acknowledgement and the citizen page work as people would use them."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from governance import migrations
from governance.config import Settings
from register.validation import violations
from tests.governance.conftest import TEST_KEY, make_account, say, start

MODEL = "gemeente-assistent-test"  # what FakeBot reports as loaded


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    migrations.upgrade(url)
    (tmp_path / "models").mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "readiness.yml").write_text("{}\n", encoding="utf-8")
    return Settings(
        database_url=url,
        bot_secret="t",
        encryption_key=TEST_KEY,
        tracker_store_url="",
        retention_interval_minutes=0,
        approved_nlu_file=tmp_path / "nlu" / "reviewed.yml",
        models_dir=tmp_path / "models",
        reports_dir=tmp_path / "reports",
        readiness_file=tmp_path / "readiness.yml",
        public_base_url="https://chat.voorbeeldstad.example",
    )


def write_heldout(settings: Settings, accuracy: float, model: str = MODEL) -> None:
    report = {"model": f"{model}.tar.gz", "topic_accuracy": accuracy, "total": 168}
    (settings.reports_dir / "nlu_eval_heldout_blind.json").write_text(json.dumps(report), encoding="utf-8")


def checks(client, staff) -> dict[str, dict]:
    response = client.get("/api/v1/readiness", headers=staff["reviewer"]["headers"])
    assert response.status_code == 200
    body = response.json()
    assert sum(body["summary"].values()) == len(body["checks"])
    return {c["id"]: c for c in body["checks"]}


# --- Algoritmeregister export -----------------------------------------------------------------------------


def test_register_export_is_valid_and_carries_live_figures(client, staff, settings):
    write_heldout(settings, 0.9583)
    conversation = start(client)
    say(client, conversation, text="wat kost een paspoort")
    say(client, conversation, text="ik wil een medewerker spreken")
    response = client.get("/api/v1/register/export", headers=staff["reviewer"]["headers"])
    assert response.status_code == 200
    entry = response.json()
    assert violations(entry) == []
    assert entry["organization"] == "Gemeente Voorbeeldstad"
    assert entry["publication_category"] == "Impactvolle algoritmes" and entry["lang"] == "nld"
    methods = entry["methods_and_models"]
    assert MODEL in methods and "95,8%" in methods and "168" in methods
    assert "1 gesprekken met 2 antwoorden" in methods  # the last 30 days, from the database
    assert "de inwoner vraagt om een medewerker: 1" in methods
    assert f"gesprekken: {settings.retention_transcript_days} dagen" in entry["proportionality"]
    assert "noodstop" in entry["human_intervention"] and "vier ogen" in entry["human_intervention"]
    assert entry["website"] == "https://chat.voorbeeldstad.example/hoe-werkt-het"


def test_register_export_is_for_reviewers_and_audited(client, staff):
    assert client.get("/api/v1/register/export").status_code == 401
    assert client.get("/api/v1/register/export", headers=staff["agent"]["headers"]).status_code == 403
    assert client.get("/api/v1/register/export", headers=staff["reviewer"]["headers"]).status_code == 200
    audit = client.get("/api/v1/audit", headers=staff["reviewer"]["headers"]).json()["items"]
    assert any(e["action"] == "register.export" for e in audit)


def test_an_older_models_accuracy_is_not_claimed(client, staff, settings):
    write_heldout(settings, 0.99, model="gemeente-assistent-old")
    entry = client.get("/api/v1/register/export", headers=staff["reviewer"]["headers"]).json()
    assert "99,0%" not in entry["methods_and_models"]
    assert "nog niet gemeten" in entry["methods_and_models"]


def test_municipality_values_are_escaped_in_the_export(app, client, staff):
    app.state.runtime.municipality.raw["register"]["organisation"] = "Gemeente <b>Test</b> & Co"
    entry = client.get("/api/v1/register/export", headers=staff["reviewer"]["headers"]).json()
    assert violations(entry) == []
    assert "<b>" not in entry["description_short"] + entry["goal"]


# --- DPIA and IAMA drafts ---------------------------------------------------------------------------------


DPIA_SECTIONS = [
    "Voorstel", "Persoonsgegevens", "Gegevensverwerking", "Technieken en methoden", "Verwerkingsdoeleinden",
    "Betrokken partijen", "Belangen", "Verwerkingslocaties", "Juridisch en beleidsmatig kader", "Bewaartermijnen",
    "Rechtsgrond", "nationale identificatienummers", "Doelbinding", "Noodzaak en evenredigheid",
    "Rechten van de betrokkenen", "Risico's voor betrokkenen", "Maatregelen",
]  # fmt: skip


def test_dpia_draft_has_the_model_dpia_sections_and_live_values(client, staff, settings):
    response = client.get("/api/v1/register/dpia", headers=staff["reviewer"]["headers"])
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/markdown")
    text = response.text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    for number, section in enumerate(DPIA_SECTIONS, start=1):
        assert any(h.startswith(f"## {number} ") and section in h for h in headings), section
    assert f"| Gesprekken | {settings.retention_transcript_days} dagen |" in text
    assert f"| Beslisregels (uitleg per antwoord) | {settings.retention_decision_days} dagen |" in text
    assert "elfproef" in text and "[BSN]" in text  # 12.3: the BSN is redacted
    assert MODEL in text
    assert text.count("**In te vullen door de gemeente:**") >= 8


def test_dpia_follows_the_configuration(app, client, staff):
    app.state.runtime.settings.retention_transcript_days = 14
    text = client.get("/api/v1/register/dpia", headers=staff["reviewer"]["headers"]).text
    assert "| Gesprekken | 14 dagen |" in text


def test_html_drafts_are_print_ready_and_escaped(app, client, staff):
    app.state.runtime.municipality.raw["register"]["algorithm_owner"] = "<script>alert(1)</script>"
    for name in ("dpia", "iama"):
        response = client.get(f"/api/v1/register/{name}", params={"format": "html"}, headers=staff["reviewer"]["headers"])
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert "@page" in response.text and '<html lang="nl">' in response.text
        assert "<script>" not in response.text and "&lt;script&gt;" in response.text
        assert 'class="todo"' in response.text
    iama = client.get("/api/v1/register/iama", headers=staff["reviewer"]["headers"]).text
    for part in ("Aanleiding en doelstelling", "Type algoritme", "De rol van de medewerker", "Grondrechten"):
        assert part in iama
    assert client.get("/api/v1/register/other", headers=staff["reviewer"]["headers"]).status_code in (404, 422)


# --- readiness checks: each green and red -----------------------------------------------------------------


def test_fresh_installation_shows_what_is_missing(client, staff):
    found = checks(client, staff)
    assert found["dpia"]["status"] == "red" and "make register" in found["dpia"]["next_step"]
    assert found["kill_switch_tested"]["status"] == "red"
    assert found["retention_ran"]["status"] == "red"
    assert found["needs_inventory"]["status"] == "amber"
    assert found["ai_disclosure"]["status"] == "amber"  # no conversations yet
    assert all(c["requirement"].startswith("urn:nl:ak:ver:") for c in found.values())
    assert {c["step"] for c in found.values()} == set(range(1, 9))


def test_staff_trained_turns_green_once_everyone_confirmed_the_guide(client, staff):
    assert checks(client, staff)["staff_trained"]["status"] == "red"
    for person in staff.values():
        guide = client.get("/api/v1/staff/guide", headers=person["headers"]).json()
        assert guide["read"] is False and "noodstop" in guide["text"]
        ack = client.post("/api/v1/staff/guide/acknowledgement", json={"version": guide["version"]}, headers=person["headers"])
        assert ack.status_code == 200 and ack.json()["read"] is True
        if person is staff["agent"]:
            assert checks(client, staff)["staff_trained"]["status"] == "amber"
    assert checks(client, staff)["staff_trained"]["status"] == "green"


def test_a_stale_guide_version_is_refused(client, staff):
    response = client.post(
        "/api/v1/staff/guide/acknowledgement", json={"version": "oude-versie"}, headers=staff["agent"]["headers"]
    )
    assert response.status_code == 409 and response.json()["code"] == "guide_changed"
    assert client.post("/api/v1/staff/guide/acknowledgement", json={}, headers=staff["agent"]["headers"]).status_code == 422


def test_kill_switch_test_turns_green_and_ages(client, staff, clock):
    headers = staff["admin"]["headers"]
    client.put("/api/v1/admin/kill-switch", json={"enabled": True, "reason": "test van de noodstop"}, headers=headers)
    client.put("/api/v1/admin/kill-switch", json={"enabled": False, "reason": "test klaar"}, headers=headers)
    assert checks(client, staff)["kill_switch_tested"]["status"] == "green"
    clock.moment = clock.moment + dt.timedelta(days=120)
    assert checks(client, staff)["kill_switch_tested"]["status"] == "amber"


def test_retention_check_follows_the_job(app, client, staff, clock):
    from governance.rights.retention import run_retention

    clock.moment = dt.datetime.now(dt.timezone.utc)  # the audit log stamps real time
    run_retention(app.state.runtime, now=app.state.runtime.clock())
    assert checks(client, staff)["retention_ran"]["status"] == "green"
    clock.moment = clock.moment + dt.timedelta(days=3)  # the job stopped running
    assert checks(client, staff)["retention_ran"]["status"] == "amber"


def test_disclosure_check_counts_every_conversation(app, client, staff):
    conversation = start(client)
    say(client, conversation, text="wat kost een paspoort")
    assert checks(client, staff)["ai_disclosure"]["status"] == "green"
    assert checks(client, staff)["sources_cited"]["status"] == "green"
    # a conversation whose first message is not the disclosure (as if a bug skipped it)
    from governance.conversation.messages import add_message
    from governance.conversation.models import Conversation

    runtime = app.state.runtime
    with runtime.session_factory() as session:
        bare = Conversation(id="c_nodisclosure", sender_id="s_nodisclosure", token_hash="x" * 64, state="bot", locale="nl")
        session.add(bare)
        session.flush()
        add_message(session, bare, role="assistant", text="Hallo, waarmee kan ik helpen?")
        session.commit()
    found = checks(client, staff)["ai_disclosure"]
    assert found["status"] == "red" and "1 van 2" in found["evidence"]


def test_disclosure_check_survives_a_change_of_the_municipalitys_facts(app, client, staff):
    """New phone hours change every welcome from then on; last week's conversations were still disclosed."""
    import dataclasses

    from governance.config import PROJECT_ROOT
    from governance.texts import Texts

    start(client)
    runtime = app.state.runtime
    changed = dataclasses.replace(runtime.municipality, phone="14 999", phone_hours="op werkdagen van 9.00 tot 12.00 uur")
    runtime.texts = Texts.from_file(PROJECT_ROOT / "data" / "texts.yml", changed)
    assert "14 999" in start(client)["messages"][0]["text"]
    found = checks(client, staff)["ai_disclosure"]
    assert found["status"] == "green" and "2 van 2" in found["evidence"]


def test_a_new_welcome_wording_is_audited_and_earlier_conversations_still_count_as_disclosed(app, client, staff, settings):
    """The municipality rewrites its welcome and restarts the service: the new wording goes into the audit log
    (when, and to what), and last week's conversations, which began with the old wording, stay green."""
    from governance.config import PROJECT_ROOT
    from governance.main import create_app
    from governance.texts import Texts
    from tests.governance.conftest import FakeBot

    start(client)  # under the wording shipped with the project
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "texts.yml").read_text(encoding="utf-8"))
    raw["welcome"] = (
        "Welkom bij {name}! Je chat met een computerprogramma (AI), niet met een mens. "
        "Liever een mens? Typ 'medewerker' of bel {phone}."
    )
    restarted = create_app(settings, bot=FakeBot())
    restarted.state.runtime.texts = Texts(raw, restarted.state.runtime.municipality)
    with TestClient(restarted) as after_restart:
        assert after_restart.post("/api/v1/conversations", json={}).json()["messages"][0]["text"].startswith("Welkom bij")
        found = checks(after_restart, staff)["ai_disclosure"]
        assert found["status"] == "green" and "2 van 2" in found["evidence"]
        entries = after_restart.get("/api/v1/audit", headers=staff["reviewer"]["headers"]).json()["items"]
        wordings = [
            e["detail"]["template"] for e in entries if e["action"] == "opening_text_in_use" and e["object_id"] == "welcome"
        ]
        assert len(wordings) == 2 and any(w.startswith("Welkom bij {name}!") for w in wordings)
        assert after_restart.get("/api/v1/audit/verify", headers=staff["reviewer"]["headers"]).json()["valid"] is True
    with TestClient(create_app(settings, bot=FakeBot())) as unchanged_restart:  # back to the shipped wording
        entries = unchanged_restart.get("/api/v1/audit", headers=staff["reviewer"]["headers"]).json()["items"]
    assert len([e for e in entries if e["action"] == "opening_text_in_use" and e["object_id"] == "welcome"]) == 3


def test_restarting_with_the_same_wording_records_nothing_new(app, client, staff, settings):
    from governance.main import create_app
    from tests.governance.conftest import FakeBot

    def recorded(test_client) -> int:
        items = test_client.get("/api/v1/audit", headers=staff["reviewer"]["headers"]).json()["items"]
        return len([e for e in items if e["action"] == "opening_text_in_use"])

    # welcome and welcome_kill_switch, in Dutch and in English (issue 16), at the first start
    assert recorded(client) == 4
    with TestClient(create_app(settings, bot=FakeBot())) as again:
        assert recorded(again) == 4


def test_accuracy_check_reads_the_measurement_of_the_running_model(client, staff, settings):
    assert checks(client, staff)["accuracy"]["status"] == "amber"
    write_heldout(settings, 0.85)
    assert checks(client, staff)["accuracy"]["status"] == "red"
    write_heldout(settings, 0.96)
    assert checks(client, staff)["accuracy"]["status"] == "green"


def test_dpia_check_wants_an_adopted_dpia_newer_than_the_model(client, staff, settings, tmp_path):
    dpia = tmp_path / "dpia-vastgesteld.pdf"
    dpia.write_bytes(b"%PDF-1.4 vastgestelde DPIA")
    model = settings.models_dir / f"{MODEL}.tar.gz"
    model.write_bytes(b"not a real archive")
    trained = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc).timestamp()
    os.utime(model, (trained, trained))
    declarations = {"dpia": {"file": str(dpia), "adopted_on": "2026-10-01"}}
    settings.readiness_file.write_text(yaml.safe_dump(declarations), encoding="utf-8")
    found = checks(client, staff)["dpia"]
    assert found["status"] == "amber" and "later getraind" in found["evidence"]
    declarations["dpia"]["adopted_on"] = "2026-11-15"
    settings.readiness_file.write_text(yaml.safe_dump(declarations), encoding="utf-8")
    assert checks(client, staff)["dpia"]["status"] == "green"
    declarations["dpia"]["file"] = str(tmp_path / "weg.pdf")
    settings.readiness_file.write_text(yaml.safe_dump(declarations), encoding="utf-8")
    assert checks(client, staff)["dpia"]["status"] == "red"


def test_declarations_by_people_turn_green_when_filled_in(client, staff, settings):
    settings.readiness_file.write_text(
        yaml.safe_dump(
            {
                "needs_inventory": {"date": "2026-09-01", "evidence": "Klantcontactanalyse 2026"},
                "stakeholders": {"date": "2026-09-15", "evidence": "Sessie met inwonerspanel en OR"},
                "user_test": {"date": "2026-10-20", "participants": "12 inwoners, 3 met schermlezer"},
                "go_live": {"date": "2026-12-01", "decided_by": "College van B&W"},
            }
        ),
        encoding="utf-8",
    )
    found = checks(client, staff)
    for key in ("needs_inventory", "stakeholders", "user_test", "go_live"):
        assert found[key]["status"] == "green", key
    settings.readiness_file.write_text("not: [valid", encoding="utf-8")  # a broken file: amber, never a 500
    assert checks(client, staff)["needs_inventory"]["status"] == "amber"


def test_knowledge_check_turns_red_when_a_text_is_overdue(client, staff, clock):
    assert checks(client, staff)["knowledge_reviewed"]["status"] == "green"
    clock.moment = clock.moment + dt.timedelta(days=3 * 365)
    found = checks(client, staff)["knowledge_reviewed"]
    assert found["status"] == "red" and "controledatum" in found["evidence"]


def test_register_check_amber_until_in_use_and_red_when_invalid(app, client, staff):
    assert checks(client, staff)["register_entry"]["status"] == "amber"  # status "In ontwikkeling"
    register = app.state.runtime.municipality.raw["register"]
    register["status"] = "In gebruik"
    assert checks(client, staff)["register_entry"]["status"] == "green"
    register["status"] = "Live"  # not a value of the standard
    found = checks(client, staff)["register_entry"]
    assert found["status"] == "red" and "status" in found["evidence"]


def test_alert_rules_check_against_a_prometheus(app, client, staff):
    from tests.governance.fake_prometheus import FakePrometheus

    assert checks(client, staff)["alert_rules"]["status"] == "amber"  # not configured
    with FakePrometheus(rules=["GemeenteAssistentDown"]) as prometheus:
        app.state.runtime.settings.prometheus_url = prometheus.url
        found = checks(client, staff)["alert_rules"]
        assert found["status"] == "red" and "ontbreken" in found["evidence"]
        from register.readiness import _alert_names

        prometheus.rules = sorted(_alert_names())
        assert checks(client, staff)["alert_rules"]["status"] == "green"
    assert checks(client, staff)["alert_rules"]["status"] == "red"  # configured but gone


def test_readiness_is_for_reviewers(client, staff):
    assert client.get("/api/v1/readiness").status_code == 401
    assert client.get("/api/v1/readiness", headers=staff["agent"]["headers"]).status_code == 403
    page = client.get("/governance/readiness")
    assert page.status_code == 200 and "Gereedheidscheck" in page.text


# --- citizen page -----------------------------------------------------------------------------------------


def test_citizen_page_tells_how_it_works_with_the_configured_terms(app, client):
    app.state.runtime.settings.retention_transcript_days = 21
    page = client.get("/hoe-werkt-het")
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    text = page.text
    assert "Hoe werkt de digitale assistent?" in text and "computerprogramma" in text
    assert "21 dagen" in text and "privacy@voorbeeldstad.example" in text and "14 0123" in text
    assert "medewerker" in text and "112" in text
    assert 'href="/hoe-werkt-het"' in client.get("/").text  # linked from the chat


def test_citizen_page_in_english_with_the_same_terms(app, client):
    app.state.runtime.settings.retention_callback_days = 9
    page = client.get("/hoe-werkt-het", params={"lang": "en"})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    text = page.text
    assert "How does the digital assistant work?" in text and "computer program, not a person" in text
    assert "after 9 days" in text and "privacy@voorbeeldstad.example" in text and "Monday to Thursday" in text
    assert "Your rights" in text and "112" in text
    # another language (or nonsense) gets the Dutch page, never an error
    assert '<html lang="nl">' in client.get("/hoe-werkt-het", params={"lang": "<script>"}).text


def test_citizen_page_escapes_what_comes_from_the_configuration(app, client, monkeypatch):
    privacy = dict(app.state.runtime.municipality.raw.get("privacy") or {})
    privacy["page"] = 'https://x.example/"><script>alert(1)</script>'
    monkeypatch.setitem(app.state.runtime.municipality.raw, "privacy", privacy)
    text = client.get("/hoe-werkt-het").text
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_register_command_writes_valid_files(tmp_path, settings, monkeypatch):
    from governance.__main__ import main
    from governance.config import get_settings

    monkeypatch.setenv("GOV_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOV_ENCRYPTION_KEY", TEST_KEY)
    monkeypatch.setenv("GOV_RASA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("GOV_MODELS_DIR", str(settings.models_dir))
    get_settings.cache_clear()
    try:
        assert main(["register", "--output", str(tmp_path / "out")]) == 0
    finally:
        get_settings.cache_clear()
    entry = json.loads((tmp_path / "out" / "algoritmeregister.json").read_text(encoding="utf-8"))
    assert violations(entry) == []
    for name in ("dpia.md", "dpia.html", "iama.md", "iama.html"):
        assert (tmp_path / "out" / name).stat().st_size > 1000


def test_staff_guide_needs_an_account(client):
    assert client.get("/api/v1/staff/guide").status_code == 401


def test_guide_confirmation_is_audited(app, client):
    person = make_account(app, "agent", "Carla Agent")
    version = client.get("/api/v1/staff/guide", headers=person["headers"]).json()["version"]
    client.post("/api/v1/staff/guide/acknowledgement", json={"version": version}, headers=person["headers"])
    reviewer = make_account(app, "reviewer", "Rob Reviewer")
    audit = client.get("/api/v1/audit", headers=reviewer["headers"]).json()["items"]
    assert any(e["action"] == "guide.acknowledge" and e["actor_id"] == person["id"] for e in audit)
