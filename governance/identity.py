"""The municipality's OpenID Connect provider as this service sees it (staff sign-in, issue 17): discovery,
the authorization code flow with PKCE (Authlib), ID-token checks (joserfc, Authlib's JOSE library) and the
userinfo re-check.

Why a re-check: a leaver is switched off at the provider, not here. Every `oidc_recheck_minutes` a session
asks the provider's userinfo endpoint with its access token; a refusal (401/403) means the person may no
longer sign in, and the caller disables the account. A provider that cannot be reached is not a refusal:
the contact centre keeps working through a short outage of the provider, and the next request asks again.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.errors import AuthlibBaseError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from governance.config import Settings

with warnings.catch_warnings():
    # Authlib 1.9 announces its move to the httpx2 package on import; the httpx client works the same.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client

logger = logging.getLogger(__name__)

# How long the provider's discovery document and signing keys are reused before they are fetched again.
METADATA_SECONDS = 3600.0


class ProviderError(Exception):
    """The provider could not be reached or answered something we cannot use."""


class ProviderRefused(Exception):
    """The provider said no (a refused token, a failed sign-in): the person is not let in."""


@dataclass(frozen=True)
class SignedIn:
    """What a finished sign-in gives: who the person is, their groups, and the tokens kept sealed."""

    subject: str
    name: str
    groups: tuple[str, ...]
    access_token: str
    id_token: str


def groups_of(claims: dict[str, Any], claim: str) -> tuple[str, ...]:
    """The role claim as a tuple of strings: a list (Entra, Keycloak), or one string ("a b" or "a,b")."""
    value = claims.get(claim)
    if isinstance(value, str):
        return tuple(v for v in value.replace(",", " ").split() if v)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()


class OidcProvider:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._issuer = settings.oidc_issuer.strip().rstrip("/")
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._fetched_at = 0.0

    @property
    def issuer(self) -> str:
        return self._issuer

    def _client(self, **kwargs: Any) -> OAuth2Client:
        return OAuth2Client(
            client_id=self._settings.oidc_client_id,
            client_secret=self._settings.oidc_client_secret.get_secret_value(),
            scope=self._settings.oidc_scopes,
            code_challenge_method="S256",
            timeout=self._settings.oidc_timeout_seconds,
            **kwargs,
        )

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._fetched_at > METADATA_SECONDS:
            try:
                with httpx.Client(timeout=self._settings.oidc_timeout_seconds) as http:
                    metadata = http.get(f"{self._issuer}/.well-known/openid-configuration").raise_for_status().json()
                    keys = KeySet.import_key_set(http.get(metadata["jwks_uri"]).raise_for_status().json())
            except (httpx.HTTPError, KeyError, ValueError, JoseError) as error:
                raise ProviderError(f"discovery failed: {error.__class__.__name__}") from error
            if metadata.get("issuer", "").rstrip("/") != self._issuer:
                raise ProviderError("the discovery document names another issuer")
            self._metadata, self._keys, self._fetched_at = metadata, keys, time.monotonic()
        return self._metadata

    def authorization_url(self, *, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        with self._client(redirect_uri=redirect_uri) as client:
            url, _ = client.create_authorization_url(
                self.metadata()["authorization_endpoint"], state=state, nonce=nonce, code_verifier=code_verifier
            )
        return url

    def finish(self, *, redirect_uri: str, code: str, code_verifier: str, nonce: str) -> SignedIn:
        """Exchange the code, check the ID token (signature, issuer, audience, expiry, nonce), read userinfo."""
        metadata = self.metadata()
        try:
            with self._client(redirect_uri=redirect_uri) as client:
                tokens = client.fetch_token(metadata["token_endpoint"], code=code, code_verifier=code_verifier)
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderError(f"token endpoint: {error.__class__.__name__}") from error
        except AuthlibBaseError as error:  # the provider's refusals (invalid_grant, …)
            raise ProviderRefused(f"token endpoint refused: {error}") from error
        id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
        if not id_token or not access_token:
            raise ProviderRefused("no ID token or access token")
        claims = self._checked_id_token(str(id_token), nonce)
        info = self.userinfo(str(access_token))
        if info.get("sub") != claims["sub"]:
            raise ProviderRefused("userinfo is about someone else")
        merged = {**claims, **info}
        return SignedIn(
            subject=str(claims["sub"]),
            name=str(merged.get("name") or merged.get("preferred_username") or claims["sub"]),
            groups=groups_of(merged, self._settings.oidc_role_claim),
            access_token=str(access_token),
            id_token=str(id_token),
        )

    def _checked_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        self.metadata()
        try:
            token = jwt.decode(id_token, self._keys)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self._metadata["issuer"]},
                aud={"essential": True, "value": self._settings.oidc_client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as error:
            raise ProviderRefused(f"ID token rejected: {error.__class__.__name__}") from error
        return dict(token.claims)

    def userinfo(self, access_token: str) -> dict[str, Any]:
        """The person's current claims; ProviderRefused when the provider no longer accepts the token."""
        endpoint = self.metadata().get("userinfo_endpoint")
        if not endpoint:
            raise ProviderError("the provider has no userinfo endpoint")
        try:
            with httpx.Client(timeout=self._settings.oidc_timeout_seconds) as http:
                response = http.get(endpoint, headers={"Authorization": f"Bearer {access_token}"})
        except httpx.HTTPError as error:
            raise ProviderError(f"userinfo: {error.__class__.__name__}") from error
        if response.status_code in (401, 403):
            raise ProviderRefused(f"userinfo refused ({response.status_code})")
        if response.status_code != 200:
            raise ProviderError(f"userinfo answered {response.status_code}")
        try:
            info = response.json()
        except ValueError as error:
            raise ProviderError("userinfo is not JSON") from error
        if not isinstance(info, dict) or not info.get("sub"):
            raise ProviderError("userinfo without a subject")
        return info

    def end_session_url(self, *, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        """RP-initiated logout at the provider, where it offers that; None otherwise."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except ProviderError:
            return None
        if not endpoint:
            return None
        params = {"post_logout_redirect_uri": post_logout_redirect_uri, "client_id": self._settings.oidc_client_id}
        if id_token:
            params["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(params)}"
