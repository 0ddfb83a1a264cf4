"""Creating, listing and disabling staff accounts; every change is audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance import ids
from governance.audit import service as audit
from governance.audit.service import Actor
from governance.db import utc_now
from governance.staff.models import ROLES, StaffAccount
from governance.staff.permissions import PERMISSIONS


class UnknownRole(ValueError):
    pass


class UnknownScope(ValueError):
    """A token scope that is not a permission of the account's role."""


def _checked_scopes(role: str, scopes: str | None) -> str | None:
    if not scopes or not scopes.strip():
        return None
    asked = [s.strip() for s in scopes.split(",") if s.strip()]
    for scope in asked:
        if scope not in PERMISSIONS[role]:
            raise UnknownScope(scope)
    return ",".join(sorted(set(asked)))


def create_account(
    session: Session,
    actor: Actor,
    *,
    name: str,
    role: str,
    token_hours: float,
    now: dt.datetime | None = None,
    scopes: str | None = None,
) -> tuple[StaffAccount, str]:
    """Returns the account and its bearer token; the token is shown once, stored only as a hash, and
    expires `token_hours` after `now` (the service's clock, which tests freeze)."""
    name = " ".join(name.split())
    if role not in ROLES:
        raise UnknownRole(role)
    if not name:
        raise ValueError("name is empty")
    token_scopes = _checked_scopes(role, scopes)
    token = ids.new_token()
    account = StaffAccount(
        id=ids.new_id("u"),
        name=name[:120],
        role=role,
        token_hash=ids.hash_token(token),
        token_expires_at=(now or utc_now()) + dt.timedelta(hours=token_hours),
        token_scopes=token_scopes,
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        actor,
        "account.create",
        object_type="staff_account",
        object_id=account.id,
        detail={"role": role, "token_hours": token_hours, "scopes": token_scopes},
    )
    session.commit()
    return account, token


def rotate_token(
    session: Session,
    actor: Actor,
    account: StaffAccount,
    *,
    token_hours: float,
    now: dt.datetime | None = None,
) -> str:
    """A new token for the account; the old one stops working at once."""
    token = ids.new_token()
    account.token_hash = ids.hash_token(token)
    account.token_expires_at = (now or utc_now()) + dt.timedelta(hours=token_hours)
    audit.record(
        session, actor, "account.rotate", object_type="staff_account", object_id=account.id, detail={"token_hours": token_hours}
    )
    session.commit()
    return token


def token_expired(account: StaffAccount, now: dt.datetime) -> bool:
    return account.token_expires_at is None or account.token_expires_at <= now


def disable_account(session: Session, actor: Actor, account: StaffAccount) -> StaffAccount:
    account.active = False
    account.disabled_at = utc_now()
    audit.record(session, actor, "account.disable", object_type="staff_account", object_id=account.id)
    session.commit()
    return account


def list_accounts(session: Session) -> list[StaffAccount]:
    return list(session.scalars(select(StaffAccount).order_by(StaffAccount.created_at)))


def find_by_token(session: Session, token: str) -> StaffAccount | None:
    return session.scalar(select(StaffAccount).where(StaffAccount.token_hash == ids.hash_token(token)))
