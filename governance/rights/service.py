"""The citizen's rights over a conversation: a copy (AVG art. 15/20) and erasure (art. 17).

Erasure removes the transcript, staff notes, call-back details and Rasa's tracker, and unlinks the decision
records: they stay for the statistics without conversation, message or text (contract section 5 keeps
them otherwise unchanged).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from governance.audit import service as audit
from governance.audit.service import Actor
from governance.conversation.models import Conversation, Message
from governance.db import utc_now
from governance.decision.models import DecisionRecord
from governance.events import QUEUE_TOPIC, conversation_topic
from governance.handover.models import CallbackRequest, Escalation, StaffNote
from governance.handover.states import close_escalations_of
from governance.runtime import Runtime
from governance.texts import Texts

logger = logging.getLogger(__name__)
EXPORT_CONTENT = {
    200: {
        "description": "Het gesprek als JSON of als leesbare tekst",
        "content": {"application/json": {"schema": {"type": "object"}}, "text/plain": {"schema": {"type": "string"}}},
    }
}
ERASED_TEXT = "[gewist]"


@dataclass(frozen=True)
class Erasure:
    conversation_id: str
    messages: int
    decision_records_unlinked: int
    tracker_events: int | None  # None: the tracker store could not be reached (the retention term covers it)


def erase_conversation(
    session: Session, runtime: Runtime, conversation: Conversation, *, actor: Actor | None = None, reason: str = ""
) -> Erasure:
    conversation_id, sender_id = conversation.id, conversation.sender_id
    escalations = select(Escalation.id).where(Escalation.conversation_id == conversation_id).scalar_subquery()
    unlinked = session.execute(
        update(DecisionRecord)
        .where(DecisionRecord.conversation_id == conversation_id)
        .values(conversation_id=None, message_id=None, input_text_redacted=ERASED_TEXT)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.execute(delete(CallbackRequest).where(CallbackRequest.escalation_id.in_(escalations)))
    session.execute(delete(StaffNote).where(StaffNote.escalation_id.in_(escalations)))
    close_escalations_of(session, conversation_id, {"outcome": "erased", "resolved_at": utc_now()})
    session.execute(
        update(Escalation)
        .where(Escalation.conversation_id == conversation_id)
        .values(conversation_id=None)
        .execution_options(synchronize_session=False)
    )
    messages = session.execute(delete(Message).where(Message.conversation_id == conversation_id)).rowcount
    session.execute(delete(Conversation).where(Conversation.id == conversation_id))
    if actor is not None:
        audit.record(
            session,
            actor,
            "conversation.erase",
            object_type="conversation",
            object_id=conversation_id,
            detail={"reason": reason, "messages": messages},
        )
    session.commit()
    session.expunge_all()
    runtime.events.notify(QUEUE_TOPIC, conversation_topic(conversation_id))
    try:
        tracker_events: int | None = runtime.tracker.delete_sender(sender_id)
    except Exception:  # noqa: BLE001 - the transcript is gone; the tracker follows by the retention term
        logger.warning("tracker store unreachable during erasure; retention removes the events later")
        tracker_events = None
    return Erasure(conversation_id, messages, unlinked, tracker_events)


def export_json(conversation: Conversation, texts: Texts, exported_at: dt.datetime) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "created_at": conversation.created_at.isoformat(),
        "state": conversation.state,
        "exported_at": exported_at.isoformat(),
        "note": texts.get("export_note"),
        "messages": [
            {
                "role": m.role,
                "text": m.text,
                "created_at": m.created_at.isoformat(),
                "why": (m.explanation or {}).get("summary_nl"),
                "sources": (m.explanation or {}).get("sources") or [],
            }
            for m in conversation.messages
        ],
    }


def export_text(conversation: Conversation, runtime: Runtime, exported_at: dt.datetime) -> str:
    zone = runtime.municipality.chat_hours.timezone
    texts = runtime.texts
    lines = [
        texts.get("export_title"),
        texts.get("export_conversation", conversation_id=conversation.id),
        texts.get("export_downloaded", moment=f"{exported_at.astimezone(zone):%d-%m-%Y %H:%M}"),
        texts.get("export_note_short"),
        "",
    ]
    named = set(texts.keys("export_who_"))  # who wrote a message, as the download names them (texts.yml)
    for m in conversation.messages:
        who = texts.get(f"export_who_{m.role}") if f"export_who_{m.role}" in named else m.role
        lines.append(f"[{m.created_at.astimezone(zone):%d-%m-%Y %H:%M}] {who}: {m.text}")
        summary = (m.explanation or {}).get("summary_nl")
        if summary:
            lines.append("    " + texts.get("export_why", summary=summary))
        for source in (m.explanation or {}).get("sources") or []:
            lines.append("    " + texts.get("export_source", title=source.get("title"), url=source.get("url")))
    return "\n".join(lines) + "\n"


def export_response(conversation: Conversation, runtime: Runtime, format: str) -> Response:
    """The download itself: an attachment the browser saves, never cached."""
    now = runtime.clock()
    headers = {"Cache-Control": "no-store"}
    if format == "text":
        headers["Content-Disposition"] = f'attachment; filename="gesprek-{conversation.id}.txt"'
        return PlainTextResponse(export_text(conversation, runtime, now), headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="gesprek-{conversation.id}.json"'
    return JSONResponse(export_json(conversation, runtime.texts, now), headers=headers)
