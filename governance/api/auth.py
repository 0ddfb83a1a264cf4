"""Authentication and role checks for every staff route (contract sections 1 and 3).

Two ways in: a bearer token (machines and scripts; the contract's `user add` token, with an expiry and an
optional scope), or the session cookie of a person signed in with the municipality's OpenID Connect
provider (governance/staff/signin.py). A cookie request that changes something must carry the session's
CSRF token in the X-CSRF-Token header; the cookie is SameSite=Lax as a second line.

Permissions are listed per role, not inherited by rank, so the matrix in docs/operations.md and the tests is the
whole truth. An admin may do everything; a reviewer reads logs and decisions but does not talk to citizens;
an agent handles the queue. Refusals with a known token are audited (who tried what).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from governance.api.deps import RuntimeDep
from governance.audit import service as audit
from governance.audit.service import Actor
from governance.errors import Problem
from governance.identity import ProviderError, ProviderRefused, groups_of
from governance.problem_texts import problem_detail
from governance.staff import sessions
from governance.staff.models import SignInSession, StaffAccount
from governance.staff.permissions import PERMISSIONS
from governance.staff.service import find_by_token, token_expired

logger = logging.getLogger(__name__)


CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class StaffContext:
    account: StaffAccount
    actor: Actor
    # The permissions this request may use: the role's, narrowed by a machine token's scope.
    permissions: frozenset[str] = frozenset()
    # Set for a person signed in through the provider (the pages need its CSRF token).
    session: SignInSession | None = None


def origin_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def permissions_of(account: StaffAccount) -> frozenset[str]:
    granted = PERMISSIONS.get(account.role, frozenset())
    if account.token_scopes:
        return granted & frozenset(s.strip() for s in account.token_scopes.split(","))
    return granted


def record_denied(session, actor: Actor, request: Request, *, needed: str) -> None:
    """A refused request of a known person or machine, audited with what it lacked (a permission, the CSRF token)."""
    audit.record(
        session,
        actor,
        "access.denied",
        object_type="route",
        object_id=f"{request.method} {request.url.path}"[:60],
        result="denied",
        detail={"needed": needed},
    )
    session.commit()


def session_actor(session, staff_session: SignInSession, origin: str) -> Actor:
    account = session.get(StaffAccount, staff_session.account_id)
    return Actor(id=account.id, name=account.name, role=account.role, origin=origin)


def _authenticate(request: Request, runtime: RuntimeDep) -> StaffContext:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    token = token.strip()
    if not token and request.cookies.get(sessions.SESSION_COOKIE):
        return _from_session(request, runtime)
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "staff_token_missing", problem_detail("staff_token_missing"))
    with runtime.session_factory() as session:
        account = find_by_token(session, token) if len(token) <= 200 else None
        if account is None or not account.active:
            # No audit entry (there is no actor, and it would let anyone flood the log); a log line without
            # the token keeps repeated attempts visible to monitoring.
            logger.warning("staff authentication failed", extra={"origin": origin_of(request), "path": request.url.path})
            raise Problem(401, "staff_token_wrong", problem_detail("staff_token_wrong"))
        if token_expired(account, runtime.clock()):
            logger.info("staff token expired", extra={"origin": origin_of(request), "account": account.id})
            raise Problem(401, "staff_token_expired", problem_detail("staff_token_expired"))
    actor = Actor(id=account.id, name=account.name, role=account.role, origin=origin_of(request))
    return StaffContext(account=account, actor=actor, permissions=permissions_of(account))


def _from_session(request: Request, runtime: RuntimeDep) -> StaffContext:
    """A person's browser: a live session, a still-active account, the provider's periodic yes, and the
    CSRF token on every change. Each refusal ends in 401/403; the ones with a known person are audited."""
    now = runtime.clock()
    origin = origin_of(request)
    with runtime.session_factory() as session:
        found = sessions.find_session(session, request.cookies.get(sessions.SESSION_COOKIE, ""))
        if found is None:
            raise Problem(401, "staff_session_missing", problem_detail("staff_session_missing"))
        account = session.get(StaffAccount, found.account_id)
        actor = Actor(id=account.id, name=account.name, role=account.role, origin=origin)
        reason = sessions.expiry_reason(found, runtime.settings, now)
        if reason:
            sessions.end_session(session, found, actor=actor, reason=reason, now=now)
            raise Problem(401, "staff_session_expired", problem_detail("staff_session_expired"))
        if not account.active:
            sessions.end_session(session, found, actor=actor, reason="account_disabled", now=now)
            raise Problem(401, "staff_account_disabled", problem_detail("staff_account_disabled"))
        if runtime.oidc is not None and now - found.checked_at > dt.timedelta(minutes=runtime.settings.oidc_recheck_minutes):
            _recheck_at_provider(session, runtime, found, account, actor, now)
        if request.method not in SAFE_METHODS and not sessions.csrf_matches(found, request.headers.get(CSRF_HEADER, "")):
            record_denied(session, actor, request, needed="csrf_token")
            raise Problem(403, "csrf_token_wrong", problem_detail("csrf_token_wrong"))
        found.last_seen_at = now
        session.commit()
        session.refresh(account)
        session.refresh(found)
        session.expunge(account)
        session.expunge(found)
    return StaffContext(account=account, actor=actor, permissions=permissions_of(account), session=found)


def _recheck_at_provider(session, runtime, found: SignInSession, account: StaffAccount, actor: Actor, now: dt.datetime) -> None:
    """Ask the provider whether the person may still come in; a refusal disables the account here too."""
    access_token = runtime.sealer.open(found.access_token_sealed) if found.access_token_sealed else None
    try:
        if not access_token:
            raise ProviderRefused("no access token kept")
        info = runtime.oidc.userinfo(access_token)
    except ProviderRefused:
        sessions.disable_person(session, account, actor=Actor("system", "provider", "system", actor.origin), now=now)
        raise Problem(401, "staff_account_disabled", problem_detail("staff_account_disabled_by_organisation")) from None
    except ProviderError as error:
        # Not a refusal: the provider is down for a moment; ask again at the next request.
        logger.warning("provider re-check failed", extra={"error": str(error), "account": account.id})
        return
    role = sessions.role_for(groups_of(info, runtime.settings.oidc_role_claim), runtime.settings.oidc_role_map)
    if role is None:
        sessions.end_session(session, found, actor=actor, reason="role_removed", now=now)
        raise Problem(401, "staff_role_removed", problem_detail("staff_role_removed"))
    sessions.keep_current(session, account, name=account.name, role=role, actor=actor)
    found.checked_at = now


def require(permission: str):
    """A dependency that lets the request through only for roles holding `permission`."""

    def _check(request: Request, runtime: RuntimeDep, context: Annotated[StaffContext, Depends(_authenticate)]) -> StaffContext:
        if permission not in context.permissions:
            with runtime.session_factory() as session:
                record_denied(session, context.actor, request, needed=permission)
            raise Problem(403, "role_not_allowed", problem_detail("role_not_allowed"))
        return context

    return _check


QueueStaff = Annotated[StaffContext, Depends(require("queue"))]
Reviewer = Annotated[StaffContext, Depends(require("review"))]
SwitchReader = Annotated[StaffContext, Depends(require("switch.read"))]
SwitchAdmin = Annotated[StaffContext, Depends(require("switch.write"))]
PrivacyOfficer = Annotated[StaffContext, Depends(require("privacy"))]
AccountAdmin = Annotated[StaffContext, Depends(require("accounts"))]
AnyStaff = Annotated[StaffContext, Depends(_authenticate)]
