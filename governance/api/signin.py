"""Staff sign-in pages with the municipality's OpenID Connect provider (issue 17), outside /api/v1.

/auth/login sends the browser to the provider (authorization code flow with PKCE, a state bound to this
browser by a short-lived cookie, a nonce in the ID token); /auth/callback checks the answer, maps the
person's groups to a role, makes or updates the account and opens a session (an HttpOnly, SameSite=Lax
cookie); /auth/logout ends it here and, where the provider supports it, there too. /auth/config tells the
pages which sign-in to show: the provider's, or the token form of the local mode.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from governance import templating
from governance.api.auth import CSRF_HEADER, origin_of, session_actor
from governance.api.deps import RuntimeDep
from governance.audit import service as audit
from governance.audit.service import Actor
from governance.errors import Problem
from governance.identity import ProviderError, ProviderRefused, SignedIn
from governance.problem_texts import problem_detail
from governance.runtime import Runtime
from governance.staff import sessions

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/auth", include_in_schema=False)


def _refused(status: int, reason: str, next_page: str = "/staff") -> HTMLResponse:
    """A Dutch page that says why the sign-in did not work and links back (the reasons are in the template)."""
    page = templating.environment().get_template("sign_in_refused.html.j2").render(reason=reason, next_page=next_page)
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


def _provider(runtime: Runtime):
    if runtime.oidc is None:
        raise Problem(404, "sign_in_not_configured", problem_detail("sign_in_not_configured"))
    return runtime.oidc


def _redirect_uri(runtime: Runtime) -> str:
    return f"{runtime.settings.public_base_url.rstrip('/')}/auth/callback"


def _set_cookie(response: Response, runtime: Runtime, name: str, value: str, *, max_age: int, path: str = "/") -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=path, httponly=True, samesite="lax", secure=runtime.settings.staff_cookie_secure
    )


@router.get("/config")
def sign_in_config(runtime: RuntimeDep) -> JSONResponse:
    mode = "oidc" if runtime.oidc is not None else "token"
    return JSONResponse(
        {"mode": mode, "login_url": "/auth/login" if mode == "oidc" else None}, headers={"Cache-Control": "no-store"}
    )


@router.get("/login")
def login(runtime: RuntimeDep, next: str = "/staff") -> Response:
    provider = _provider(runtime)
    with runtime.session_factory() as session:
        pending, browser = sessions.begin_sign_in(session, next_page=next, now=runtime.clock())
    try:
        url = provider.authorization_url(
            redirect_uri=_redirect_uri(runtime), state=pending.state, nonce=pending.nonce, code_verifier=pending.code_verifier
        )
    except ProviderError as error:
        logger.warning("sign-in provider unreachable", extra={"error": str(error)})
        return _refused(503, "provider_unreachable", pending.next_path)
    response = RedirectResponse(url, status_code=303)
    _set_cookie(response, runtime, sessions.SIGN_IN_COOKIE, browser, max_age=sessions.SIGN_IN_MINUTES * 60, path="/auth")
    return response


@router.get("/callback")
def callback(request: Request, runtime: RuntimeDep, state: str = "", code: str = "", error: str = "") -> Response:
    provider = _provider(runtime)
    now = runtime.clock()
    origin = origin_of(request)
    with runtime.session_factory() as session:
        pending = sessions.take_sign_in(session, state=state, browser=request.cookies.get(sessions.SIGN_IN_COOKIE, ""), now=now)
    if pending is None:
        return _refused(400, "stale_sign_in")
    if error or not code:
        return _refused(403, "provider_refused", pending.next_path)
    try:
        person = provider.finish(
            redirect_uri=_redirect_uri(runtime), code=code, code_verifier=pending.code_verifier, nonce=pending.nonce
        )
    except ProviderRefused as refusal:
        logger.warning("sign-in refused by the provider or its token", extra={"error": str(refusal), "origin": origin})
        return _refused(403, "provider_refused", pending.next_path)
    except ProviderError as failure:
        logger.warning("sign-in provider unreachable", extra={"error": str(failure)})
        return _refused(503, "provider_unreachable", pending.next_path)
    role = sessions.role_for(person.groups, runtime.settings.oidc_role_map)
    with runtime.session_factory() as session:
        if role is None:
            return _deny(session, person, provider.issuer, "no_role", origin, pending.next_path)
        try:
            account = sessions.person_account(
                session, issuer=provider.issuer, subject=person.subject, name=person.name, role=role, origin=origin, now=now
            )
        except sessions.AccountDisabled:
            session.rollback()
            return _deny(session, person, provider.issuer, "account_disabled", origin, pending.next_path)
        _, cookie = sessions.open_session(
            session,
            account,
            sealed_access_token=runtime.sealer.seal(person.access_token),
            sealed_id_token=runtime.sealer.seal(person.id_token),
            origin=origin,
            now=now,
        )
    response = RedirectResponse(pending.next_path, status_code=303)
    _set_cookie(response, runtime, sessions.SESSION_COOKIE, cookie, max_age=int(runtime.settings.staff_session_hours * 3600))
    response.delete_cookie(sessions.SIGN_IN_COOKIE, path="/auth")
    return response


def _deny(session, person: SignedIn, issuer: str, reason: str, origin: str, next_page: str) -> HTMLResponse:
    """A refused sign-in, audited with who the provider says the person is."""
    actor = Actor(id=f"oidc:{person.subject}"[:40], name=person.name[:120], role="none", origin=origin)
    detail = {"reason": reason, "issuer": issuer, "subject": person.subject, "groups": list(person.groups)[:20]}
    audit.record(session, actor, "session.denied", object_type="staff_account", object_id=None, result="denied", detail=detail)
    session.commit()
    return _refused(403, reason, next_page)


@router.post("/logout")
def logout(request: Request, runtime: RuntimeDep) -> JSONResponse:
    """Ends the session (needs the CSRF header, like every change); answers where the browser goes next."""
    now = runtime.clock()
    redirect = "/staff"
    with runtime.session_factory() as session:
        found = sessions.find_session(session, request.cookies.get(sessions.SESSION_COOKIE, ""))
        if found is None:
            raise Problem(401, "staff_session_missing", problem_detail("staff_session_missing_short"))
        if not sessions.csrf_matches(found, request.headers.get(CSRF_HEADER, "")):
            raise Problem(403, "csrf_token_wrong", problem_detail("csrf_token_wrong"))
        id_token = runtime.sealer.open(found.id_token_sealed) if found.id_token_sealed else None
        sessions.end_session(session, found, actor=session_actor(session, found, origin_of(request)), reason="sign_out", now=now)
    if runtime.oidc is not None:
        base = runtime.settings.public_base_url.rstrip("/")
        redirect = runtime.oidc.end_session_url(id_token=id_token, post_logout_redirect_uri=f"{base}/staff") or redirect
    response = JSONResponse({"redirect": redirect}, headers={"Cache-Control": "no-store"})
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return response
