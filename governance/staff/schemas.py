"""API shapes for staff sign-in, accounts and the kill switch."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AccountOut(BaseModel):
    id: str
    name: str
    role: Literal["agent", "reviewer", "admin"]
    active: bool
    created_at: dt.datetime


class KillSwitchOut(BaseModel):
    enabled: bool
    reason: str
    changed_by: str | None
    changed_at: dt.datetime | None


class StaffSession(BaseModel):
    account: AccountOut
    permissions: list[str]
    kill_switch: KillSwitchOut
    # How this request signed in: "token" (a bearer token) or "oidc" (the session cookie of a person).
    sign_in: Literal["token", "oidc"] = "token"
    # For a cookie session: the value the pages send as X-CSRF-Token on every change.
    csrf_token: str | None = None


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    role: Literal["agent", "reviewer", "admin"]


class AccountCreated(BaseModel):
    account: AccountOut
    token: str = Field(description="Eén keer getoond; alleen een hash wordt bewaard")


class AccountList(BaseModel):
    items: list[AccountOut]
    count: int


class KillSwitchChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool
    reason: str = Field(min_length=3, max_length=500, description="Waarom: staat in het auditlog")
