"""Which opening texts (the AI disclosure every conversation starts with) were in force, and since when.

The service records the configured templates in the audit log when it starts and they differ from the last
ones recorded. The readiness check then recognises a conversation that began under an earlier wording, and an
auditor can read in the tamper-evident log when the wording changed and to what."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance.audit import service as audit
from governance.audit.models import AuditChainHead, AuditEntry
from governance.texts import Texts

ACTION = "opening_text_in_use"
OPENING_KEYS = ("welcome", "welcome_kill_switch")
SYSTEM = audit.Actor(id="system", name="gemeente-assistent", role="system", origin="start-up")


def recorded_key(key: str, language: str) -> str:
    """The audit object id of an opening text: "welcome" for Dutch, "welcome.en" for its English version."""
    return key if language == "nl" else f"{key}.{language}"


def recorded_templates(session: Session, languages: tuple[str, ...] = ("nl",)) -> dict[str, list[str]]:
    """Every opening template recorded so far, oldest first, per text key (and language)."""
    rows = session.execute(
        select(AuditEntry.object_id, AuditEntry.detail).where(AuditEntry.action == ACTION).order_by(AuditEntry.seq)
    ).all()
    found: dict[str, list[str]] = {recorded_key(key, lang): [] for key in OPENING_KEYS for lang in languages}
    for key, detail in rows:
        template = (detail or {}).get("template")
        if key in found and isinstance(template, str):
            found[key].append(template)
    return found


def record_opening_texts(session: Session, texts: Texts) -> list[str]:
    """Record the templates in force now where they differ from the last recorded; returns the keys recorded.
    The audit chain's lock is taken first, so workers starting together record a change once."""
    session.execute(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update())
    recorded = recorded_templates(session, texts.languages)
    changed = []
    for key in OPENING_KEYS:
        for language in texts.languages:
            template, recorded_as = texts.template(key, language), recorded_key(key, language)
            if not recorded[recorded_as] or recorded[recorded_as][-1] != template:
                detail = {"template": template, "language": language}
                audit.record(session, SYSTEM, ACTION, object_type="text", object_id=recorded_as, detail=detail)
                changed.append(recorded_as)
    session.commit()
    return changed
