"""The improvement loop (the guide's step 8): citizen feedback on answers, and reviewed NLU examples."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, UTCDateTime, utc_now


class Feedback(Base):
    """Thumbs up or down on one bot answer, with an optional comment (screened for personal data)."""

    __tablename__ = "feedback"

    message_id: Mapped[str] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(40), index=True)
    rating: Mapped[str] = mapped_column(String(8))  # up, down
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class NluProposal(Base):
    """A reviewer's label for a turn the bot handled badly. It reaches the training data only after a second
    person approves it (four eyes); `dismissed` means: not a useful example."""

    __tablename__ = "nlu_proposal"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(40), unique=True)
    text: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(40), nullable=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # proposed, approved, rejected, dismissed
    proposed_by: Mapped[str] = mapped_column(ForeignKey("staff_account.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("staff_account.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
