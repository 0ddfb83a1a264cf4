"""The decision record (contract section 5): one row per bot decision, written before the reply leaves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, UTCDateTime


class DecisionRecord(Base):
    """Append-only: the service has no update path; erasure only unlinks the conversation (privacy issue)."""

    __tablename__ = "decision_record"

    decision_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), nullable=True, index=True
    )
    message_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    turn: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    input_text_redacted: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    intent: Mapped[str | None] = mapped_column(String(60), nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    intent_ranking: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    action: Mapped[str] = mapped_column(String(80))
    policy: Mapped[str | None] = mapped_column(String(80), nullable=True)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    escalate: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    escalation_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    pii_redacted: Mapped[list[str]] = mapped_column(JSON, default=list)
    model_version: Mapped[str | None] = mapped_column(String(120), nullable=True)
    knowledge_version: Mapped[str] = mapped_column(String(40))
    latency_ms: Mapped[int] = mapped_column(Integer)
    trace_id: Mapped[str] = mapped_column(String(32))
    span_id: Mapped[str] = mapped_column(String(16))
    summary_nl: Mapped[str] = mapped_column(Text, default="")
    # The conversation (issue 14): the topic before this turn, whether this turn's topic came from it, the
    # aspect asked ("kosten"), the sub-answer given ("reisdocument/kosten"), and whether the knowledge base
    # lacked the detail asked (such turns enter the review queue).
    context_topic: Mapped[str | None] = mapped_column(String(40), nullable=True)
    topic_from_context: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    aspect: Mapped[str | None] = mapped_column(String(40), nullable=True)
    answer_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    detail_missing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    # The language the citizen wrote this turn in (issue 16; ISO 639-1): the dashboard counts turns per language.
    language: Mapped[str] = mapped_column(String(8), default="nl", server_default="nl")
