"""The live facts every generated document is built from: configuration, the model, the training data, the
measured accuracy and the figures of the last 30 days. Gathered in one place so the register entry, the
DPIA, the IAMA and the readiness check can never disagree with each other or with what runs."""

from __future__ import annotations

import datetime as dt
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance.config import PROJECT_ROOT
from governance.dashboard.statistics import compute
from governance.privacy.pii import PII_TYPES
from governance.runtime import Runtime
from governance.staff.models import StaffAccount
from governance.switches import killswitch
from knowledge import TOPICS
from register.phrases import PHRASES

FIGURE_DAYS = 30
HELDOUT_SETS = {str(name): str(label) for name, label in PHRASES["heldout_sets"].items()}
RASA_VERSION = "3.6.21"


@dataclass(frozen=True)
class HeldOutScore:
    name: str
    label: str
    accuracy: float
    total: int
    model: str
    measured_at: dt.datetime

    def is_for(self, model_version: str | None) -> bool:
        return bool(model_version) and self.model.removesuffix(".tar.gz") == model_version


@dataclass(frozen=True)
class Facts:
    generated_at: dt.datetime
    municipality: str
    register: dict[str, Any]
    privacy: dict[str, Any]
    model_version: str | None
    model_trained_at: dt.datetime | None
    training_examples: int
    intents: int
    topics: int
    knowledge_answers: int
    knowledge_version: str
    heldout: list[HeldOutScore]
    fallback_threshold: float | None
    pipeline: list[str]
    conversations: int
    turns: int
    handovers: int
    containment: float | None
    escalations_by_reason: dict[str, int]
    retention_days: dict[str, int]
    pii_types: list[str]
    # the languages the assistant answers in, and those that get a fixed message with contact details
    languages_answered: list[str]
    languages_with_notice: list[str]
    kill_switch_enabled: bool
    active_staff: int
    public_base_url: str
    figure_days: int = FIGURE_DAYS
    rasa_version: str = RASA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def current_heldout(self) -> list[HeldOutScore]:
        """Scores measured on the model that runs now; older scores say nothing about it."""
        return [score for score in self.heldout if score.is_for(self.model_version)]


def training_data(nlu_dir: Path) -> tuple[int, int]:
    """(examples, intents) in the NLU training files, counted the way Rasa reads them."""
    examples = 0
    intents: set[str] = set()
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            lines = [line for line in str(block.get("examples", "")).splitlines() if line.strip().startswith("- ")]
            if lines:
                intents.add(block["intent"])
                examples += len(lines)
    return examples, len(intents)


def heldout_scores(reports_dir: Path) -> list[HeldOutScore]:
    scores = []
    for name, label in HELDOUT_SETS.items():
        path = reports_dir / f"nlu_eval_{name}.json"
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
            scores.append(
                HeldOutScore(
                    name=name,
                    label=label,
                    accuracy=float(report["topic_accuracy"]),
                    total=int(report["total"]),
                    model=str(report["model"]),
                    measured_at=dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return scores


def model_trained_at(models_dir: Path, model_version: str | None) -> dt.datetime | None:
    """Rasa writes the training moment into the model archive's metadata; the file time is the fallback."""
    if not model_version:
        return None
    path = models_dir / f"{model_version}.tar.gz"
    if not path.is_file():
        return None
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = next((m for m in archive.getmembers() if m.name.lstrip("/") == "metadata.json"), None)
            if member is not None and (handle := archive.extractfile(member)) is not None:
                metadata = json.load(handle)
                trained = metadata.get("trained_at") if isinstance(metadata, dict) else None
                if trained:
                    moment = dt.datetime.fromisoformat(str(trained))
                    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    except (OSError, ValueError, tarfile.TarError):
        pass
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)


def bot_pipeline(config_file: Path) -> tuple[list[str], float | None]:
    try:
        config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    except OSError:
        return [], None
    names = [str(c.get("name", "")).rsplit(".", 1)[-1] for c in config.get("pipeline") or []]
    threshold = next((c.get("threshold") for c in config.get("pipeline") or [] if c.get("name") == "FallbackClassifier"), None)
    return names, threshold


async def gather(session: Session, runtime: Runtime) -> Facts:
    """From the running service: the model Rasa has loaded. From the command line with Rasa stopped: the
    newest trained model, which is the one `make run` would load."""
    status = await runtime.bot.model_status()
    return collect(session, runtime, model_version=status.model_version or newest_model(runtime.settings.models_dir))


def newest_model(models_dir: Path) -> str | None:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1].name.removesuffix(".tar.gz") if models else None


def collect(session: Session, runtime: Runtime, *, model_version: str | None) -> Facts:
    settings = runtime.settings
    stats = compute(session, runtime, days=FIGURE_DAYS)
    examples, intents = training_data(settings.nlu_dir)
    pipeline, threshold = bot_pipeline(PROJECT_ROOT / "bot" / "config.yml")
    raw = runtime.municipality.raw
    active_staff = session.scalar(select(func.count()).select_from(StaffAccount).where(StaffAccount.active.is_(True))) or 0
    return Facts(
        generated_at=runtime.clock(),
        municipality=runtime.municipality.name,
        register=dict(raw.get("register") or {}),
        privacy=dict(raw.get("privacy") or {}),
        model_version=model_version,
        model_trained_at=model_trained_at(settings.models_dir, model_version),
        training_examples=examples,
        intents=intents,
        topics=len([t for t in TOPICS if t not in ("greet", "thanks", "goodbye")]),
        knowledge_answers=len(runtime.knowledge.all_answers()),
        knowledge_version=runtime.knowledge.version,
        heldout=heldout_scores(settings.reports_dir),
        fallback_threshold=threshold,
        pipeline=pipeline,
        conversations=int(stats.totals["conversations"]),
        turns=int(stats.totals["turns"]),
        handovers=int(stats.totals["handovers"]),
        containment=stats.totals["containment"],
        escalations_by_reason=dict(stats.escalations_by_reason),
        retention_days={
            "transcript": settings.retention_transcript_days,
            "decision": settings.retention_decision_days,
            "audit": settings.retention_audit_days,
            "callback": settings.retention_callback_days,
        },
        pii_types=list(PII_TYPES),
        languages_answered=list(runtime.languages.answered_names_nl),
        languages_with_notice=[notice.name_nl for notice in runtime.languages.notices.values()],
        kill_switch_enabled=killswitch.current(session).enabled,
        active_staff=int(active_staff),
        public_base_url=settings.public_base_url.rstrip("/"),
    )
