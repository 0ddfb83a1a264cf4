"""Staff accounts, their sign-in sessions and pending sign-ins.

Only hashes of bearer tokens and session cookies are kept, like conversation tokens. People sign in with the
municipality's OpenID Connect provider (an account is made on first sign-in, keyed by issuer and subject);
bearer tokens from the command line are for machines, with an expiry and a scope.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, UTCDateTime, utc_now

ROLES = ("agent", "reviewer", "admin")


class StaffAccount(Base):
    __tablename__ = "staff_account"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_staff_account_oidc"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A token is good for one shift (GOV_STAFF_TOKEN_HOURS); `user rotate` gives a new one and ends the old one.
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Comma-separated permissions a machine token is limited to (within its role); empty: all of the role.
    token_scopes: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # A person from the provider: who they are there. Their bearer token hash is of a secret never shown.
    oidc_issuer: Mapped[str | None] = mapped_column(String(300), nullable=True)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # AI literacy (AI Act art. 4): which version of the staff guide this person confirmed having read, and when
    guide_version: Mapped[str | None] = mapped_column(String(16), nullable=True)
    guide_acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SignInSession(Base):
    """A signed-in browser. The cookie holds a random secret; the row holds its hash and the CSRF token."""

    __tablename__ = "staff_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie value
    account_id: Mapped[str] = mapped_column(ForeignKey("staff_account.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The provider's tokens, sealed (governance/privacy/crypto.py): the access token re-checks at the
    # provider that the person is still allowed in; the ID token is the hint for signing out there too.
    access_token_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    id_token_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class StaffSignIn(Base):
    """A sign-in under way at the provider: the state, nonce and PKCE verifier, bound to one browser."""

    __tablename__ = "staff_sign_in"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
