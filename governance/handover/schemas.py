"""API shapes of the staff queue (contract section 3)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from governance.conversation.schemas import MessageOut
from governance.handover.service import OUTCOMES

Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]


class StaffRef(BaseModel):
    id: str
    name: str


class EscalationItem(BaseModel):
    id: str
    conversation_id: str | None
    kind: Literal["chat", "callback"]
    state: Literal["waiting", "human", "closed"]
    reason: str
    priority: int
    topic: str | None
    waiting_since: dt.datetime
    waiting_seconds: int = Field(description="Hoe lang de inwoner al wacht (tot aannemen of afsluiten)")
    assignee: StaffRef | None
    claimed_at: dt.datetime | None
    resolved_at: dt.datetime | None
    outcome: str | None


class EscalationList(BaseModel):
    items: list[EscalationItem]
    count: int


class StaffMessageOut(MessageOut):
    author: StaffRef | None = None


class NoteOut(BaseModel):
    id: str
    author: StaffRef
    text: str
    created_at: dt.datetime


class CallbackDetails(BaseModel):
    name: str
    phone: str | None
    email: str | None
    question: str
    consent_at: dt.datetime


class EscalationDetail(EscalationItem):
    conversation_state: str | None
    messages: list[StaffMessageOut]
    notes: list[NoteOut]
    callback: CallbackDetails | None = Field(None, description="Alleen zichtbaar voor de medewerker die het verzoek aannam")


class StaffText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome  # type: ignore[valid-type]
    return_to_bot: bool = True
