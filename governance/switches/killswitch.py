"""The kill switch (AI Act Art. 14: the ability to stop the system). Kept in the database so that every
worker and every running conversation sees it at the next message."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from governance.audit import service as audit
from governance.audit.service import Actor
from governance.db import utc_now
from governance.switches.models import SystemSwitch

NAME = "kill_switch"


@dataclass(frozen=True)
class KillSwitch:
    enabled: bool
    reason: str
    changed_by: str | None
    changed_at: dt.datetime | None


def current(session: Session) -> KillSwitch:
    row = session.get(SystemSwitch, NAME)
    if row is None:
        return KillSwitch(False, "", None, None)
    return KillSwitch(row.enabled, row.reason, row.changed_by, row.changed_at)


def set_switch(session: Session, actor: Actor, *, enabled: bool, reason: str) -> KillSwitch:
    row = session.get(SystemSwitch, NAME, with_for_update=True)
    if row is None:
        row = SystemSwitch(name=NAME, enabled=False, reason="", detail={})
        session.add(row)
    previous = row.enabled
    row.enabled = enabled
    row.reason = reason
    row.changed_by = actor.id
    row.changed_at = utc_now()
    audit.record(
        session,
        actor,
        "kill_switch.enable" if enabled else "kill_switch.disable",
        object_type="kill_switch",
        object_id=NAME,
        detail={"reason": reason, "was_enabled": previous},
    )
    session.commit()
    return current(session)
