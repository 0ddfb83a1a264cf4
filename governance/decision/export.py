"""The decision log as CSV for a reviewer's spreadsheet, safe against formula injection; each export audited."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.responses import Response

from governance.audit import service as audit

CSV_FIELDS = [
    "decision_id", "conversation_id", "turn", "timestamp", "topic", "intent", "confidence", "action", "policy",
    "escalate", "escalation_reason", "pii_redacted", "model_version", "knowledge_version", "latency_ms", "trace_id",
    "input_text_redacted", "summary_nl", "context_topic", "topic_from_context", "aspect", "answer_id", "detail_missing",
    "language",
]  # fmt: skip


# A cell that starts with one of these is a formula in Excel and LibreOffice ("=HYPERLINK(…)" typed by a
# citizen would run on a reviewer's machine): OWASP's advice is a leading apostrophe, which shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def decisions_csv(rows: list[Any], staff_actor, session) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        values = {name: getattr(row, name) for name in CSV_FIELDS}
        values["timestamp"] = row.timestamp.isoformat()
        values["pii_redacted"] = " ".join(row.pii_redacted or [])
        writer.writerow({name: spreadsheet_safe(value) for name, value in values.items()})
    audit.record(session, staff_actor, "decisions.export", object_type="decision_log", detail={"count": len(rows)})
    session.commit()
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="beslissingen.csv"', "Cache-Control": "no-store"},
    )
