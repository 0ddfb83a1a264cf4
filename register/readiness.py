"""The guide's readiness check ("is your municipality AI-assistant ready?") as live checks with evidence.
Each check belongs to one of the guide's eight steps, names the Algoritmekader requirement it covers, and is
green (done, with proof), amber (not proven yet, or needs attention) or red (a duty is not met), with what
to do next. The system proves what it can; what only people can declare comes from data/readiness.yml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance.audit import service as audit
from governance.audit.models import AuditEntry
from governance.compliance import disclosure
from governance.config import PROJECT_ROOT
from governance.conversation.models import Conversation, Message
from governance.decision.models import DecisionRecord
from governance.runtime import Runtime
from governance.staff.guide import has_read, load_guide
from governance.staff.models import StaffAccount
from governance.texts import template_pattern
from register import algoritmeregister
from register.facts import Facts
from register.validation import violations

GREEN, AMBER, RED = "green", "amber", "red"
WORDS_FILE = Path(__file__).resolve().parent / "templates" / "readiness.yml"
WORDS: dict[str, Any] = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
STEPS: dict[int, str] = {int(step): str(title) for step, title in WORDS["steps"].items()}
REQUIRED_ACCURACY = 0.90
ALERT_RULES_FILE = PROJECT_ROOT / "monitoring" / "alerts.rules.yml"


@dataclass(frozen=True)
class Check:
    id: str
    step: int
    title: str
    requirement: str
    status: str
    evidence: str
    next_step: str

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "step_title": STEPS[self.step]}


@dataclass
class Context:
    session: Session
    runtime: Runtime
    facts: Facts
    declarations: dict[str, Any]
    now: dt.datetime


Result = tuple[str, str, str]  # status, evidence, next step
CHECKS: list[tuple[str, int, str, str, Callable[[Context], Result]]] = []


def check(check_id: str, step: int, requirement: str):
    """Register a check; its title is configured (register/templates/readiness.yml, `checks`)."""

    def register(function: Callable[[Context], Result]) -> Callable[[Context], Result]:
        CHECKS.append((check_id, step, str(WORDS["checks"][check_id]["title"]), requirement, function))
        return function

    return register


def words(outcome: str, part: str = "evidence", /, **values: Any) -> str:
    """One configured sentence of an outcome (its evidence or next step), filled in."""
    return str(WORDS["outcomes"][outcome].get(part, "")).format(**values)


def result(status: str, outcome: str, /, **values: Any) -> Result:
    """The check's result in the configured words of the outcome."""
    return status, words(outcome, **values), words(outcome, "next", **values)


def load_declarations(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _declared(ctx: Context, key: str, *fields: str) -> dict[str, str] | None:
    entry = ctx.declarations.get(key) or {}
    if not isinstance(entry, dict):
        return None
    values = {f: str(entry.get(f) or "").strip() for f in fields}
    return values if all(values.values()) else None


def _declaration(ctx: Context, key: str, *fields: str) -> Result:
    values = _declared(ctx, key, *fields)
    if values is None:
        what = WORDS["checks"][key]["what"]
        return result(AMBER, "not_declared", file=ctx.runtime.settings.readiness_file.name, what=what, key=key)
    return result(GREEN, "declared", values=", ".join(f"{k} {v}" for k, v in values.items()))


def _parse_date(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time.max, tzinfo=dt.timezone.utc)
    except ValueError:
        return None


@check("needs_inventory", 1, "urn:nl:ak:ver:avg-04")
def _needs(ctx: Context) -> Result:
    return _declaration(ctx, "needs_inventory", "date", "evidence")


@check("stakeholders", 2, "urn:nl:ak:ver:awb-01")
def _stakeholders(ctx: Context) -> Result:
    return _declaration(ctx, "stakeholders", "date", "evidence")


def _assessment(ctx: Context, key: str, name: str) -> Result:
    entry = _declared(ctx, key, "file", "adopted_on")
    if entry is None:
        return result(RED, "assessment_missing", name=name)
    path = Path(entry["file"])
    path = path if path.is_absolute() else PROJECT_ROOT / path
    adopted = _parse_date(entry["adopted_on"])
    if not path.is_file() or adopted is None:
        return result(RED, "assessment_file_missing", file=entry["file"], name=name)
    trained = ctx.facts.model_trained_at
    if trained is not None and adopted < trained:
        return result(AMBER, "assessment_outdated", name=name, adopted_on=entry["adopted_on"], trained=trained)
    return result(GREEN, "assessment_current", name=name, adopted_on=entry["adopted_on"], file=entry["file"])


@check("dpia", 3, "urn:nl:ak:ver:avg-13")
def _dpia(ctx: Context) -> Result:
    return _assessment(ctx, "dpia", "DPIA")


@check("iama", 3, "urn:nl:ak:ver:grw-01")
def _iama(ctx: Context) -> Result:
    return _assessment(ctx, "iama", "IAMA")


@check("ai_disclosure", 4, "urn:nl:ak:ver:aia-28")
def _disclosure(ctx: Context) -> Result:
    since = ctx.now - dt.timedelta(days=30)
    first = (
        select(Message.conversation_id, func.min(Message.seq).label("seq"))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.created_at >= since)
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = ctx.session.execute(
        select(Message.role, Message.text).join(
            first, (Message.conversation_id == first.c.conversation_id) & (Message.seq == first.c.seq)
        )
    ).all()
    if not rows:
        return result(AMBER, "no_conversations")
    # the wording in force now, and every earlier one the service recorded when it started with it
    texts = ctx.runtime.texts
    templates = {texts.template(key, language) for key in disclosure.OPENING_KEYS for language in texts.languages}
    templates |= {t for recorded in disclosure.recorded_templates(ctx.session, texts.languages).values() for t in recorded}
    openings = [template_pattern(t) for t in templates]
    disclosed = sum(1 for role, text in rows if role == "assistant" and any(o.fullmatch(text) for o in openings))
    counted = {"disclosed": disclosed, "total": len(rows), "share": disclosed / len(rows)}
    if disclosed == len(rows):
        return result(GREEN, "disclosure_counted", **counted)
    return result(RED, "disclosure_missing", **counted)


@check("sources_cited", 4, "urn:nl:ak:ver:awb-02")
def _sources(ctx: Context) -> Result:
    since = ctx.now - dt.timedelta(days=30)
    rows = ctx.session.execute(
        select(DecisionRecord.sources, DecisionRecord.summary_nl).where(
            DecisionRecord.timestamp >= since, DecisionRecord.action == "action_answer_from_knowledge_base"
        )
    ).all()
    if not rows:
        return result(AMBER, "no_answers")
    cited = sum(1 for sources, summary in rows if sources and summary)
    if cited == len(rows):
        return result(GREEN, "sources_counted", cited=cited, total=len(rows))
    return result(RED, "sources_missing", cited=cited, total=len(rows))


@check("accuracy", 5, "urn:nl:ak:ver:awb-01")
def _accuracy(ctx: Context) -> Result:
    scores = ctx.facts.current_heldout
    if not scores:
        return result(AMBER, "accuracy_not_measured", model=ctx.facts.model_version)
    evidence = "; ".join(words("accuracy_score", label=s.label, accuracy=s.accuracy, total=s.total) for s in scores)
    if all(s.accuracy >= REQUIRED_ACCURACY for s in scores):
        return GREEN, evidence, ""
    return RED, evidence, words("accuracy_too_low", "next", required=REQUIRED_ACCURACY)


@check("user_test", 5, "urn:nl:ak:ver:grw-02")
def _user_test(ctx: Context) -> Result:
    return _declaration(ctx, "user_test", "date", "participants")


@check("register_entry", 6, "urn:nl:ak:ver:bzk-01")
def _register(ctx: Context) -> Result:
    entry = algoritmeregister.export(ctx.facts)
    problems = violations(entry)
    if problems:
        return result(RED, "register_errors", count=len(problems), problems="; ".join(problems[:3]))
    if entry.get("status") != "In gebruik" or not entry.get("website"):
        no_website = "" if entry.get("website") else words("register_no_website")
        return result(AMBER, "register_not_live", status=entry.get("status"), no_website=no_website)
    return result(GREEN, "register_ready")


@check("audit_log", 6, "urn:nl:ak:ver:bio-01")
def _audit(ctx: Context) -> Result:
    verification = audit.verify(ctx.session)
    if verification.valid:
        return result(GREEN, "audit_valid", entries=verification.entries)
    return result(RED, "audit_broken")


@check("alert_rules", 6, "urn:nl:ak:ver:aia-22")
def _alerts(ctx: Context) -> Result:
    url = ctx.runtime.settings.prometheus_url.rstrip("/")
    expected = _alert_names()
    if not url:
        return result(AMBER, "alerts_unchecked", count=len(expected))
    try:
        response = httpx.get(f"{url}/api/v1/rules", params={"type": "alert"}, timeout=3.0)
        groups = response.json()["data"]["groups"]
        loaded = {rule["name"] for group in groups for rule in group.get("rules", [])}
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return result(RED, "prometheus_unreachable", url=url)
    missing = sorted(expected - loaded)
    if missing:
        return result(RED, "alerts_missing", missing=len(missing), count=len(expected), names=", ".join(missing[:5]))
    return result(GREEN, "alerts_loaded", count=len(expected))


def _alert_names() -> set[str]:
    data = yaml.safe_load(ALERT_RULES_FILE.read_text(encoding="utf-8")) or {}
    return {rule["alert"] for group in data.get("groups", []) for rule in group.get("rules", []) if "alert" in rule}


def _last_audited(ctx: Context, action: str) -> dt.datetime | None:
    """When the audit log last recorded this action (the evidence that a duty was carried out)."""
    return ctx.session.scalar(select(func.max(AuditEntry.timestamp)).where(AuditEntry.action == action))


@check("kill_switch_tested", 6, "urn:nl:ak:ver:aia-09")
def _kill_switch(ctx: Context) -> Result:
    days = ctx.runtime.settings.kill_switch_test_days
    last = _last_audited(ctx, "kill_switch.enable")
    if last is None:
        return result(RED, "kill_switch_never")
    if last < ctx.now - dt.timedelta(days=days):
        return result(AMBER, "kill_switch_long_ago", last=last, days=days)
    return result(GREEN, "kill_switch_recent", last=last, days=days)


@check("logs_kept", 6, "urn:nl:ak:ver:aia-23")
def _logs(ctx: Context) -> Result:
    return result(GREEN, "logs_kept", days=ctx.runtime.settings.retention_decision_days)


@check("staff_trained", 7, "urn:nl:ak:ver:aia-01")
def _staff(ctx: Context) -> Result:
    guide = load_guide()
    accounts = ctx.session.scalars(select(StaffAccount).where(StaffAccount.active.is_(True))).all()
    if not accounts:
        return result(RED, "no_staff")
    read = [a for a in accounts if has_read(a, guide)]
    counted = {"read": len(read), "total": len(accounts), "version": guide.version}
    if len(read) == len(accounts):
        return result(GREEN, "guide_read", **counted)
    missing = ", ".join(a.name for a in accounts if a not in read)[:300]
    return result(AMBER if read else RED, "guide_unread", **counted, missing=missing)


@check("human_reachable", 7, "urn:nl:ak:ver:avg-10")
def _human(ctx: Context) -> Result:
    settings = ctx.runtime.settings
    municipality = ctx.runtime.municipality
    hours = municipality.chat_hours
    if settings.chat_staffed == "never" and not municipality.phone:
        return result(RED, "nobody_reachable")
    days = len(hours.weekly)
    staffed = words(f"staffed_{settings.chat_staffed}") if settings.chat_staffed in ("always", "never") else None
    reachable = {"staffed": staffed or words("staffed_days", days=days), "phone": municipality.phone}
    if settings.chat_staffed == "schedule" and days == 0:
        return result(AMBER, "human_no_chat_hours", **reachable)
    return result(GREEN, "human_reachable", **reachable)


@check("citizens_informed", 7, "urn:nl:ak:ver:avg-07")
def _informed(ctx: Context) -> Result:
    privacy = ctx.facts.privacy
    page = f"{ctx.facts.public_base_url}/hoe-werkt-het"
    if not privacy.get("email"):
        return result(RED, "no_privacy_contact")
    return result(GREEN, "citizens_informed", page=page, email=privacy["email"])


@check("retention_ran", 8, "urn:nl:ak:ver:avg-02")
def _retention(ctx: Context) -> Result:
    last = _last_audited(ctx, "retention.run")
    interval = ctx.runtime.settings.retention_interval_minutes
    allowed = dt.timedelta(minutes=max(2 * interval, 120)) if interval > 0 else dt.timedelta(days=1)
    if last is None:
        return result(RED, "retention_never")
    if last < ctx.now - allowed:
        return result(AMBER, "retention_late", last=last)
    return result(GREEN, "retention_ran", last=last)


@check("knowledge_reviewed", 8, "urn:nl:ak:ver:awb-01")
def _knowledge(ctx: Context) -> Result:
    today = ctx.now.date()
    answers = ctx.runtime.knowledge.all_answers()
    overdue = [a for a in answers if a.review_due < today]
    if overdue:
        names = ", ".join(sorted({a.topic for a in overdue}))[:300]
        return result(RED, "knowledge_overdue", overdue=len(overdue), total=len(answers), names=names)
    return result(GREEN, "knowledge_reviewed", total=len(answers))


@check("go_live", 8, "urn:nl:ak:ver:bzk-01")
def _go_live(ctx: Context) -> Result:
    return _declaration(ctx, "go_live", "date", "decided_by")


def run_checks(session: Session, runtime: Runtime, facts: Facts) -> list[Check]:
    ctx = Context(
        session=session,
        runtime=runtime,
        facts=facts,
        declarations=load_declarations(runtime.settings.readiness_file),
        now=runtime.clock(),
    )
    checks = []
    for check_id, step, title, requirement, function in CHECKS:
        status, evidence, next_step = function(ctx)
        checks.append(Check(check_id, step, title, requirement, status, evidence, next_step))
    return checks


def summary(checks: list[Check]) -> dict[str, int]:
    return {status: sum(c.status == status for c in checks) for status in (GREEN, AMBER, RED)}
