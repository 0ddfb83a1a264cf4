"""Staff sign-in, account administration and the kill switch (contract sections 1 and 3)."""

from __future__ import annotations

from fastapi import APIRouter, status

from governance.api.auth import AccountAdmin, AnyStaff, StaffContext, SwitchAdmin, SwitchReader
from governance.api.deps import RuntimeDep, SessionDep
from governance.audit import service as audit
from governance.db import get_by_id
from governance.errors import Problem
from governance.events import QUEUE_TOPIC
from governance.openapi import problem_responses
from governance.problem_texts import problem_detail
from governance.staff import service
from governance.staff.models import StaffAccount
from governance.staff.schemas import (
    AccountCreate,
    AccountCreated,
    AccountList,
    AccountOut,
    KillSwitchChange,
    KillSwitchOut,
    StaffSession,
)
from governance.switches import killswitch

router = APIRouter(tags=["Beheer"])


def _account(account: StaffAccount) -> AccountOut:
    return AccountOut(id=account.id, name=account.name, role=account.role, active=account.active, created_at=account.created_at)  # type: ignore[arg-type]


def _switch(state: killswitch.KillSwitch) -> KillSwitchOut:
    return KillSwitchOut(enabled=state.enabled, reason=state.reason, changed_by=state.changed_by, changed_at=state.changed_at)


@router.post(
    "/staff-sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffSession,
    responses=problem_responses(400, 401),
    summary="Inloggen als medewerker",
    description="Controleert het token, geeft rol en rechten terug en legt de inlog vast in het auditlog.",
    operation_id="createStaffSession",
)
def sign_in(staff: AnyStaff, session: SessionDep) -> StaffSession:
    audit.record(session, staff.actor, "login", object_type="staff_account", object_id=staff.account.id)
    session.commit()
    return _session_out(staff, session)


def _session_out(staff: StaffContext, session) -> StaffSession:
    return StaffSession(
        account=_account(staff.account),
        permissions=sorted(staff.permissions),
        kill_switch=_switch(killswitch.current(session)),
        sign_in="oidc" if staff.session is not None else "token",
        csrf_token=staff.session.csrf_token if staff.session is not None else None,
    )


@router.get(
    "/staff-sessions/current",
    response_model=StaffSession,
    responses=problem_responses(401),
    summary="Wie ben ik",
    description="Rol, rechten en (bij inloggen via de organisatie) het CSRF-token voor de pagina's; legt niets vast.",
    operation_id="getCurrentStaffSession",
)
def current_session(staff: AnyStaff, session: SessionDep) -> StaffSession:
    return _session_out(staff, session)


@router.get(
    "/admin/kill-switch",
    response_model=KillSwitchOut,
    responses=problem_responses(400, 401, 403),
    summary="Stand van de noodstop",
    description="Of de assistent uit staat, sinds wanneer, door wie en waarom.",
    operation_id="getKillSwitch",
)
def get_kill_switch(staff: SwitchReader, session: SessionDep) -> KillSwitchOut:
    switch = _switch(killswitch.current(session))
    audit.record(session, staff.actor, "kill_switch.read", object_type="kill_switch")
    session.commit()
    return switch


@router.put(
    "/admin/kill-switch",
    response_model=KillSwitchOut,
    responses=problem_responses(400, 401, 403, 422),
    summary="Noodstop aan of uit",
    description=(
        "Aan: de assistent beantwoordt niets meer zelf, in nieuwe en lopende gesprekken; elke inwoner krijgt "
        "een medewerker of de contactgegevens (AI-verordening art. 14). Elke wijziging staat met reden in het auditlog."
    ),
    operation_id="setKillSwitch",
)
def put_kill_switch(body: KillSwitchChange, staff: SwitchAdmin, session: SessionDep, runtime: RuntimeDep) -> KillSwitchOut:
    reason = " ".join(body.reason.split())
    if len(reason) < 3:
        raise Problem(422, "reason_needed", problem_detail("reason_needed"))
    state = killswitch.set_switch(session, staff.actor, enabled=body.enabled, reason=reason)
    runtime.events.notify(QUEUE_TOPIC)
    return _switch(state)


@router.get(
    "/admin/accounts",
    response_model=AccountList,
    responses=problem_responses(400, 401, 403),
    summary="Accounts van medewerkers",
    description="Alle accounts, ook ingetrokken accounts.",
    operation_id="listAccounts",
)
def list_accounts(staff: AccountAdmin, session: SessionDep) -> AccountList:
    accounts = service.list_accounts(session)
    audit.record(session, staff.actor, "accounts.list", object_type="staff_account", detail={"count": len(accounts)})
    session.commit()
    return AccountList(items=[_account(a) for a in accounts], count=len(accounts))


@router.post(
    "/admin/accounts",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountCreated,
    responses=problem_responses(400, 401, 403, 422),
    summary="Account aanmaken",
    description="Maakt een account met een rol. Het token staat alleen in dit antwoord.",
    operation_id="createAccount",
)
def create_account(body: AccountCreate, staff: AccountAdmin, session: SessionDep, runtime: RuntimeDep) -> AccountCreated:
    try:
        account, token = service.create_account(
            session,
            staff.actor,
            name=body.name,
            role=body.role,
            token_hours=runtime.settings.staff_token_hours,
            now=runtime.clock(),
        )
    except ValueError as exc:
        raise Problem(422, "validation_error", problem_detail("name_needed")) from exc
    return AccountCreated(account=_account(account), token=token)


@router.delete(
    "/admin/accounts/{account_id}",
    response_model=AccountOut,
    responses=problem_responses(400, 401, 403, 404, 409),
    summary="Account intrekken",
    description="Het token werkt daarna niet meer. Het account blijft bestaan voor het auditlog.",
    operation_id="disableAccount",
)
def disable_account(account_id: str, staff: AccountAdmin, session: SessionDep) -> AccountOut:
    account = get_by_id(session, StaffAccount, account_id)
    if account is None:
        raise Problem(404, "account_not_found", problem_detail("account_not_found"))
    if account.id == staff.account.id:
        raise Problem(409, "cannot_disable_self", problem_detail("cannot_disable_self"))
    return _account(service.disable_account(session, staff.actor, account))
