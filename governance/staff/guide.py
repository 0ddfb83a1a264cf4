"""The staff guide (AI Act art. 4, AI literacy): a text the municipality keeps in data/staff_guide.md, and a
per-account acknowledgement of the version read. Changing the text changes its version, so everyone is
asked again and the readiness check turns amber until they have."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from governance.audit import service as audit
from governance.audit.service import Actor
from governance.config import PROJECT_ROOT
from governance.db import utc_now
from governance.staff.models import StaffAccount

GUIDE_FILE = PROJECT_ROOT / "data" / "staff_guide.md"


@dataclass(frozen=True)
class Guide:
    version: str
    text: str


def load_guide(path: Path = GUIDE_FILE) -> Guide:
    text = path.read_text(encoding="utf-8")
    return Guide(version=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], text=text)


def has_read(account: StaffAccount, guide: Guide) -> bool:
    return account.guide_version == guide.version and account.guide_acknowledged_at is not None


def acknowledge(session: Session, actor: Actor, account: StaffAccount, guide: Guide) -> StaffAccount:
    # the signed-in account was read in the authentication's own session: write through this one
    account = session.get(StaffAccount, account.id) or account
    account.guide_version = guide.version
    account.guide_acknowledged_at = utc_now()
    audit.record(
        session, actor, "guide.acknowledge", object_type="staff_account", object_id=account.id, detail={"version": guide.version}
    )
    session.commit()
    return account
