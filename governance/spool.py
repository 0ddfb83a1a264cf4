"""When the database goes away while Rasa is answering, the answer still reaches the citizen and its
decision records wait here — one JSON line per turn, fsync'd to local disk — until the database is back;
then they are written with the message ids the citizen already has. Replaying twice writes nothing twice
(the decision id is the key), and each worker's file is locked while it is replayed."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from governance import metrics
from governance.conversation.messages import add_message
from governance.conversation.models import Conversation, Message
from governance.decision.models import DecisionRecord
from governance.decision.service import record_decision

logger = logging.getLogger(__name__)


class DecisionSpool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _file(self) -> Path:
        return self.directory / f"spool-{os.getpid()}.jsonl"

    def put(self, entry: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        with open(self._file(), "a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        metrics.SPOOLED.inc()
        logger.warning("database unavailable: decision records spooled", extra={"conversation": entry["conversation_id"]})

    def pending(self) -> int:
        total = 0
        for path in self.directory.glob("spool-*.jsonl"):
            with contextlib.suppress(OSError):
                total += sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        return total

    def replay(self, session_factory) -> int:
        """Write what waits; stop at the first database error (the next round tries again)."""
        written = 0
        for path in sorted(self.directory.glob("spool-*.jsonl")):
            with open(path, "r+", encoding="utf-8") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # another worker is replaying this file
                lines = [line for line in handle.read().splitlines() if line.strip()]
                done = 0
                for line in lines:
                    try:
                        written += _apply(session_factory, json.loads(line))
                    except DBAPIError:
                        logger.warning("database still unavailable; spooled decision records wait")
                        break
                    done += 1
                handle.seek(0)
                handle.truncate()
                handle.write("".join(line + "\n" for line in lines[done:]))
                handle.flush()
                os.fsync(handle.fileno())
            if done == len(lines):
                with contextlib.suppress(OSError):
                    path.unlink()
        return written


def _apply(session_factory, entry: dict[str, Any]) -> int:
    with session_factory() as session:
        replies = entry["replies"]
        if session.scalar(select(DecisionRecord.decision_id).where(DecisionRecord.decision_id == replies[0]["decision_id"])):
            return 0  # written before (a replay that was interrupted after its commit)
        conversation = session.get(Conversation, entry["conversation_id"])
        if conversation is None:
            return 0  # erased meanwhile: nothing of it may come back
        first = dt.datetime.fromisoformat(replies[0]["created_at"])
        # the turn's number: the citizen messages up to this answer (the citizen's message was stored in time)
        turn = entry["turn"] or session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == conversation.id, Message.role == "citizen", Message.created_at <= first)
        )
        for reply in replies:
            created = dt.datetime.fromisoformat(reply["created_at"])
            message = add_message(
                session,
                conversation,
                role="assistant",
                text=reply["text"],
                buttons=reply["buttons"],
                explanation=reply["explanation"],
                message_id=reply["message_id"],
                created_at=created,
            )
            record_decision(
                session,
                decision_id=reply["decision_id"],
                conversation_id=conversation.id,
                message_id=message.id,
                turn=turn or 1,
                timestamp=created,
                input_text_redacted=entry["input_text_redacted"],
                explanation=reply["explanation"],
                knowledge_version=entry["knowledge_version"],
                latency_ms=entry["latency_ms"],
                trace_id=entry["trace_id"],
                span_id=reply["span_id"],
            )
        session.commit()
        return len(replies)
