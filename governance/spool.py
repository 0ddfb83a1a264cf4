"""When the database goes away while Rasa is answering, the answer still reaches the citizen and its
decision records wait here — one JSON line per turn, fsync'd to local disk — until the database is back;
then they are written with the message ids the citizen already has. Replaying twice writes nothing twice
(the decision id is the key), and each worker's file is locked while it is replayed."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from governance import metrics

logger = logging.getLogger(__name__)


# Writes one spooled turn into the database and returns how many replies it wrote (0 when written before).
SpoolWriter = Callable[[sessionmaker[Session], dict[str, Any]], int]


class DecisionSpool:
    """The file side only; what a spooled turn becomes in the database is the writer's business
    (governance.conversation.store.write_spooled), so this primitive depends on no domain."""

    def __init__(self, directory: Path, write: SpoolWriter) -> None:
        self.directory = directory
        self._write = write

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

    def replay(self, session_factory: sessionmaker[Session]) -> int:
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
                        written += self._write(session_factory, json.loads(line))
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
