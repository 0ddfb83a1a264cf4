"""API shapes of the citizen API (contract section 2). Separate from the tables on purpose."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    locale: Literal["nl", "en"] = "nl"


class MessageCreate(BaseModel):
    """Either free text or the payload of a button the bot offered."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, description="What the citizen typed (at most 2,000 characters)")
    payload: str | None = Field(None, description="A button's payload, such as /afval", max_length=100)


class Button(BaseModel):
    title: str
    payload: str


class SourceLink(BaseModel):
    title: str
    url: str


class IntentScore(BaseModel):
    name: str
    confidence: float


class EntityValue(BaseModel):
    entity: str
    value: Any


class Explanation(BaseModel):
    model_config = ConfigDict(extra="allow")
    decision_id: str
    topic: str
    intent: str | None
    confidence: float | None
    intent_ranking: list[IntentScore]
    entities: list[EntityValue]
    action: str
    policy: str | None
    sources: list[SourceLink]
    escalate: bool
    escalation_reason: str | None
    pii_redacted: list[str]
    model_version: str | None
    summary_nl: str
    answer_id: str | None = Field(None, description="De gekozen tekst uit de kennisbank: onderwerp/deelantwoord")
    context_topic: str | None = Field(None, description="Het onderwerp van het gesprek voor deze beurt")
    topic_from_context: bool = Field(False, description="Het onderwerp kwam uit het gesprek, niet uit dit bericht")
    aspect: str | None = Field(None, description="Waar de vraag over ging, zoals kosten of duur")
    detail_missing: bool = Field(False, description="Het onderwerp was duidelijk, maar dit detail staat niet in de kennisbank")
    language: str = Field("nl", description="De taal waarin de inwoner schreef (ISO 639-1), zoals nl, en, tr of ar")


class MessageOut(BaseModel):
    id: str
    seq: int = Field(description="Volgnummer in het gesprek; ook de id van het event in de stream")
    role: Literal["citizen", "assistant", "agent", "system"]
    text: str
    buttons: list[Button] = []
    explanation: Explanation | None = None
    form: Literal["callback"] | None = Field(None, description="Een formulier dat de widget bij dit bericht toont")
    created_at: dt.datetime


class CallbackCreate(BaseModel):
    """A call-back request outside office hours. Phone or e-mail is needed, and consent."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=200)
    question: str = Field(min_length=1, max_length=1000)
    consent: bool


class CallbackCreated(BaseModel):
    conversation_id: str
    state: str
    messages: list[MessageOut]


class ConversationCreated(BaseModel):
    conversation_id: str
    token: str = Field(description="Keep this secret: it proves the conversation is yours")
    state: str
    messages: list[MessageOut]


class MessageReply(BaseModel):
    conversation_id: str
    state: str
    messages: list[MessageOut]


class Transcript(BaseModel):
    conversation_id: str
    state: str
    created_at: dt.datetime
    messages: list[MessageOut]
    queue_position: int | None = None
    expected_wait_seconds: int | None = None
