"""The governance dashboard's figures (/api/v1/statistics), the decision log as CSV, and the page."""

from __future__ import annotations

import csv
import io

import pytest

from tests.governance.conftest import custom_item, say, start


def test_statistics_reflect_what_happened(client, bot, staff):
    for _ in range(2):
        say(client, start(client), text="wat kost een paspoort")
    unsure = start(client)
    bot.reply = [custom_item("afval", "Over afval.", confidence=0.35)]
    for text in ("container", "vuilnis", "bak vol"):
        say(client, unsure, text=text)
    bot.reply = None
    handed = start(client)
    say(client, handed, text="ik wil een medewerker spreken")
    say(client, handed, payload="/accept_human")
    liked = say(client, start(client), text="paspoort")["messages"][-1]

    stats = client.get("/api/v1/statistics", params={"days": 7}, headers=staff["reviewer"]["headers"]).json()
    assert stats["totals"]["conversations"] == 5 and stats["totals"]["handovers"] == 1
    assert stats["totals"]["containment"] == pytest.approx(0.8)
    assert sum(d["conversations"] for d in stats["days"]) == 5 and len(stats["days"]) == 8
    topics = {t["topic"]: t for t in stats["topics"]}
    assert topics["reisdocument"]["turns"] == 3 and topics["afval"]["average_confidence"] == pytest.approx(0.35)
    assert stats["worst_topics"][0]["topic"] == "afval"
    assert stats["handovers_by_reason"] == {"citizen_request": 1}
    assert stats["escalations_by_reason"]["citizen_request"] == 1
    assert sum(b["count"] for b in stats["confidence_histogram"]) == 7
    assert stats["confidence_histogram"][3]["count"] == 3  # 0.3–0.4
    assert liked["explanation"]["topic"] == "reisdocument"


def test_decision_log_downloads_as_csv_and_is_audited(client, staff):
    conversation = start(client)
    say(client, conversation, text="mijn bsn is 123456782, wat kost een paspoort")
    response = client.get(
        "/api/v1/decisions",
        params={"format": "csv", "conversationId": conversation["conversation_id"]},
        headers=staff["reviewer"]["headers"],
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1 and rows[0]["topic"] == "reisdocument" and rows[0]["pii_redacted"] == "bsn"
    assert "123456782" not in response.text
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=staff["reviewer"]["headers"]).json()["items"]]
    assert "decisions.export" in actions
    assert client.get("/api/v1/statistics", headers=staff["agent"]["headers"]).status_code == 403
    assert client.get("/api/v1/statistics", params={"days": 0}, headers=staff["reviewer"]["headers"]).status_code == 422


def test_dashboard_page_is_served_in_dutch_with_a_strict_policy(client):
    response = client.get("/governance")
    assert response.status_code == 200 and '<html lang="nl">' in response.text
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    for text in ("Dashboard toezicht", "Beslissingenlog", "Download CSV", "Zwakste onderwerpen", "containment"):
        assert text in response.text
    script = client.get("/static/governance.js").text
    assert "innerHTML" not in script and "/statistics" in script and "format" in script
