"""Bearer-token authentication and role checks for every staff route (contract section 1 and 3).

Permissions are listed per role, not inherited by rank, so the matrix in the README and the tests is the
whole truth. An admin may do everything; a reviewer reads logs and decisions but does not talk to citizens;
an agent handles the queue. Refusals with a known token are audited (who tried what).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from governance.audit import service as audit
from governance.audit.service import Actor
from governance.deps import RuntimeDep
from governance.errors import Problem
from governance.staff.models import StaffAccount
from governance.staff.service import find_by_token, token_expired

logger = logging.getLogger(__name__)

PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": frozenset({"queue", "switch.read"}),
    "reviewer": frozenset({"review", "privacy", "switch.read"}),
    "admin": frozenset({"queue", "review", "privacy", "switch.read", "switch.write", "accounts"}),
}


@dataclass(frozen=True)
class StaffContext:
    account: StaffAccount
    actor: Actor


def origin_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _authenticate(request: Request, runtime: RuntimeDep) -> StaffContext:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "staff_token_missing", "Log in met je token.")
    with runtime.session_factory() as session:
        account = find_by_token(session, token) if len(token) <= 200 else None
        if account is None or not account.active:
            # No audit entry (there is no actor, and it would let anyone flood the log); a log line without
            # the token keeps repeated attempts visible to monitoring.
            logger.warning("staff authentication failed", extra={"origin": origin_of(request), "path": request.url.path})
            raise Problem(401, "staff_token_wrong", "Dit token is onbekend of ingetrokken.")
        if token_expired(account, runtime.clock()):
            logger.info("staff token expired", extra={"origin": origin_of(request), "account": account.id})
            raise Problem(401, "staff_token_expired", "Je token is verlopen. Vraag een nieuw token aan je beheerder.")
    actor = Actor(id=account.id, name=account.name, role=account.role, origin=origin_of(request))
    return StaffContext(account=account, actor=actor)


def require(permission: str):
    """A dependency that lets the request through only for roles holding `permission`."""

    def _check(request: Request, runtime: RuntimeDep, context: Annotated[StaffContext, Depends(_authenticate)]) -> StaffContext:
        if permission not in PERMISSIONS.get(context.account.role, frozenset()):
            with runtime.session_factory() as session:
                audit.record(
                    session,
                    context.actor,
                    "access.denied",
                    object_type="route",
                    object_id=f"{request.method} {request.url.path}"[:60],
                    result="denied",
                    detail={"needed": permission},
                )
                session.commit()
            raise Problem(403, "role_not_allowed", "Je rol mag dit niet doen.")
        return context

    return _check


QueueStaff = Annotated[StaffContext, Depends(require("queue"))]
Reviewer = Annotated[StaffContext, Depends(require("review"))]
SwitchReader = Annotated[StaffContext, Depends(require("switch.read"))]
SwitchAdmin = Annotated[StaffContext, Depends(require("switch.write"))]
PrivacyOfficer = Annotated[StaffContext, Depends(require("privacy"))]
AccountAdmin = Annotated[StaffContext, Depends(require("accounts"))]
AnyStaff = Annotated[StaffContext, Depends(_authenticate)]
