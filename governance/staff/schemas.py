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
