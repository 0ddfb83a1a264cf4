"""Sign-in sessions of people: pending sign-ins, accounts made on first sign-in, and the session lifecycle.

The browser holds only random secrets (the session cookie, and during a sign-in a second cookie that binds
the provider's answer to the browser that asked); the database holds their hashes. A session ends after
`staff_session_idle_minutes` without a request and `staff_session_hours` after sign-in, on sign-out, and
when the provider no longer accepts the person. Every start and end is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from governance import ids
from governance.audit import service as audit
from governance.audit.service import Actor
from governance.config import Settings
from governance.staff.models import ROLES, SignInSession, StaffAccount, StaffSignIn

SESSION_COOKIE = "ga_staff_session"
SIGN_IN_COOKIE = "ga_staff_sign_in"
SIGN_IN_MINUTES = 10
# The pages a sign-in may return to (never a URL from the query string: no open redirect).
RETURN_PAGES = ("/staff", "/governance", "/governance/readiness")
# A person in several mapped groups gets the first of these.
ROLE_ORDER = ("admin", "reviewer", "agent")


class AccountDisabled(Exception):
    """The account exists here but was disabled (by an admin, or after the provider refused it)."""


def role_for(groups: tuple[str, ...], role_map: dict[str, str]) -> str | None:
    roles = {role_map[g] for g in groups if g in role_map}
    return next((r for r in ROLE_ORDER if r in roles), None)


def return_page(requested: str | None) -> str:
    return requested if requested in RETURN_PAGES else RETURN_PAGES[0]


def begin_sign_in(session: Session, *, next_page: str, now: dt.datetime) -> tuple[StaffSignIn, str]:
    """A new pending sign-in and the secret for the browser's binding cookie. Stale ones are removed."""
    session.execute(delete(StaffSignIn).where(StaffSignIn.created_at < now - dt.timedelta(minutes=SIGN_IN_MINUTES)))
    browser = ids.new_token()
    pending = StaffSignIn(
        state=secrets.token_urlsafe(32),
        browser_hash=ids.hash_token(browser),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        next_path=return_page(next_page),
        created_at=now,
    )
    session.add(pending)
    session.commit()
    return pending, browser


def take_sign_in(session: Session, *, state: str, browser: str, now: dt.datetime) -> StaffSignIn | None:
    """The pending sign-in for this state, once, and only in the browser that started it."""
    if not state or not browser or len(state) > 64:
        return None
    pending = session.get(StaffSignIn, state)
    if pending is None:
        return None
    session.delete(pending)
    session.commit()
    fresh = pending.created_at > now - dt.timedelta(minutes=SIGN_IN_MINUTES)
    return pending if fresh and ids.token_matches(browser, pending.browser_hash) else None


def person_account(
    session: Session, *, issuer: str, subject: str, name: str, role: str, origin: str, now: dt.datetime
) -> StaffAccount:
    """The account of this person at this provider: made on first sign-in, name and role kept current."""
    if role not in ROLES:
        raise ValueError(role)
    account = session.scalar(select(StaffAccount).where(StaffAccount.oidc_issuer == issuer, StaffAccount.oidc_subject == subject))
    name = " ".join(name.split())[:120] or subject[:120]
    if account is None:
        account = StaffAccount(
            id=ids.new_id("u"),
            name=name,
            role=role,
            # No bearer token for people: the hash is of a secret that is never shown to anyone.
            token_hash=ids.hash_token(ids.new_token()),
            token_expires_at=None,
            oidc_issuer=issuer,
            oidc_subject=subject,
            created_at=now,
        )
        session.add(account)
        session.flush()
        audit.record(
            session,
            Actor(id=account.id, name=name, role=role, origin=origin),
            "account.create",
            object_type="staff_account",
            object_id=account.id,
            detail={"role": role, "via": "oidc", "issuer": issuer, "subject": subject},
        )
        return account
    if not account.active:
        raise AccountDisabled(account.id)
    keep_current(session, account, name=name, role=role, actor=Actor(id=account.id, name=name, role=role, origin=origin))
    return account


def keep_current(session: Session, account: StaffAccount, *, name: str, role: str, actor: Actor) -> None:
    """The provider's name and role for a person, audited when either changed (at sign-in and at a re-check)."""
    if account.role == role and account.name == name:
        return
    audit.record(
        session,
        actor,
        "account.update",
        object_type="staff_account",
        object_id=account.id,
        detail={"role": role, "previous_role": account.role, "via": "oidc", "subject": account.oidc_subject},
    )
    account.role, account.name = role, name


def open_session(
    session: Session,
    account: StaffAccount,
    *,
    sealed_access_token: str,
    sealed_id_token: str,
    origin: str,
    now: dt.datetime,
) -> tuple[SignInSession, str]:
    """A new session for the account and the cookie value that proves it; audited with the subject."""
    cookie = ids.new_token()
    staff_session = SignInSession(
        id=ids.hash_token(cookie),
        account_id=account.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        checked_at=now,
        access_token_sealed=sealed_access_token,
        id_token_sealed=sealed_id_token,
    )
    session.add(staff_session)
    audit.record(
        session,
        Actor(id=account.id, name=account.name, role=account.role, origin=origin),
        "session.start",
        object_type="staff_account",
        object_id=account.id,
        detail={"issuer": account.oidc_issuer, "subject": account.oidc_subject},
    )
    session.commit()
    return staff_session, cookie


def find_session(session: Session, cookie: str) -> SignInSession | None:
    if not cookie or len(cookie) > 200:
        return None
    found = session.get(SignInSession, ids.hash_token(cookie))
    return found if found is not None and found.ended_at is None else None


def csrf_matches(staff_session: SignInSession, header: str) -> bool:
    return bool(header) and secrets.compare_digest(header.encode(), staff_session.csrf_token.encode())


def expiry_reason(staff_session: SignInSession, settings: Settings, now: dt.datetime) -> str | None:
    if now - staff_session.created_at > dt.timedelta(hours=settings.staff_session_hours):
        return "absolute_timeout"
    if now - staff_session.last_seen_at > dt.timedelta(minutes=settings.staff_session_idle_minutes):
        return "idle_timeout"
    return None


def end_session(session: Session, staff_session: SignInSession, *, actor: Actor, reason: str, now: dt.datetime) -> None:
    staff_session.ended_at = now
    staff_session.end_reason = reason
    audit.record(
        session,
        actor,
        "session.end",
        object_type="staff_account",
        object_id=staff_session.account_id,
        detail={"reason": reason},
    )
    session.commit()


def disable_person(session: Session, account: StaffAccount, *, actor: Actor, now: dt.datetime) -> None:
    """The provider no longer accepts the person: the account is disabled and all its sessions end."""
    account.active = False
    account.disabled_at = now
    for open_one in session.scalars(
        select(SignInSession).where(SignInSession.account_id == account.id, SignInSession.ended_at.is_(None))
    ):
        open_one.ended_at, open_one.end_reason = now, "provider_refused"
    audit.record(
        session,
        actor,
        "account.disable",
        object_type="staff_account",
        object_id=account.id,
        result="success",
        detail={"reason": "provider_refused", "subject": account.oidc_subject},
    )
    session.commit()
