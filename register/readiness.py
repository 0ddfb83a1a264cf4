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
STEPS = {
    1: "Behoefte in kaart brengen",
    2: "Belanghebbenden betrekken",
    3: "DPIA uitvoeren",
    4: "Open en uitlegbare techniek",
    5: "Implementeren en testen met echte gebruikers",
    6: "Governance en monitoring, registratie",
    7: "Medewerkers trainen en inwoners informeren",
    8: "Live gaan en continu verbeteren",
}
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


def check(check_id: str, step: int, title: str, requirement: str):
    def register(function: Callable[[Context], Result]) -> Callable[[Context], Result]:
        CHECKS.append((check_id, step, title, requirement, function))
        return function

    return register


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


def _declaration(ctx: Context, key: str, what: str, *fields: str) -> Result:
    values = _declared(ctx, key, *fields)
    if values is None:
        return AMBER, f"Nog niet vastgelegd in {ctx.runtime.settings.readiness_file.name}.", f"Leg vast: {what} ({key})."
    return GREEN, "Vastgelegd: " + ", ".join(f"{k} {v}" for k, v in values.items()), ""


def _parse_date(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time.max, tzinfo=dt.timezone.utc)
    except ValueError:
        return None


@check("needs_inventory", 1, "Behoefte van inwoners in kaart", "urn:nl:ak:ver:avg-04")
def _needs(ctx: Context) -> Result:
    return _declaration(ctx, "needs_inventory", "datum en document van de behoeftepeiling", "date", "evidence")


@check("stakeholders", 2, "Belanghebbenden betrokken", "urn:nl:ak:ver:awb-01")
def _stakeholders(ctx: Context) -> Result:
    return _declaration(ctx, "stakeholders", "wie er zijn betrokken en wanneer", "date", "evidence")


def _assessment(ctx: Context, key: str, name: str) -> Result:
    entry = _declared(ctx, key, "file", "adopted_on")
    if entry is None:
        return RED, f"Geen vastgestelde {name}.", f"Maak de {name} af vanuit het concept (make register) en leg het bestand vast."
    path = Path(entry["file"])
    path = path if path.is_absolute() else PROJECT_ROOT / path
    adopted = _parse_date(entry["adopted_on"])
    if not path.is_file() or adopted is None:
        return RED, f"Bestand {entry['file']} ontbreekt of de datum is ongeldig.", f"Zet de vastgestelde {name} op die plek."
    trained = ctx.facts.model_trained_at
    if trained is not None and adopted < trained:
        return (
            AMBER,
            f"{name} vastgesteld op {entry['adopted_on']}, maar het model is later getraind ({trained:%Y-%m-%d}).",
            f"Controleer of de {name} nog klopt na de modelwijziging en stel hem opnieuw vast.",
        )
    return GREEN, f"{name} vastgesteld op {entry['adopted_on']} ({entry['file']}), na de laatste modelwijziging.", ""


@check("dpia", 3, "DPIA vastgesteld en actueel", "urn:nl:ak:ver:avg-13")
def _dpia(ctx: Context) -> Result:
    return _assessment(ctx, "dpia", "DPIA")


@check("iama", 3, "IAMA uitgevoerd", "urn:nl:ak:ver:grw-01")
def _iama(ctx: Context) -> Result:
    return _assessment(ctx, "iama", "IAMA")


@check("ai_disclosure", 4, "Elk gesprek begint met de melding dat het een AI-assistent is", "urn:nl:ak:ver:aia-28")
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
        return AMBER, "Nog geen gesprekken in de afgelopen 30 dagen.", "Controleer na de eerste gesprekken opnieuw."
    # the wording in force now, and every earlier one the service recorded when it started with it
    texts = ctx.runtime.texts
    templates = {texts.template(key, language) for key in disclosure.OPENING_KEYS for language in texts.languages}
    templates |= {t for recorded in disclosure.recorded_templates(ctx.session, texts.languages).values() for t in recorded}
    openings = [template_pattern(t) for t in templates]
    disclosed = sum(1 for role, text in rows if role == "assistant" and any(o.fullmatch(text) for o in openings))
    share = disclosed / len(rows)
    evidence = f"{disclosed} van {len(rows)} gesprekken ({share:.0%}) begonnen met de melding, afgelopen 30 dagen."
    if disclosed == len(rows):
        return GREEN, evidence, ""
    return (
        RED,
        evidence,
        "Zoek uit welke gesprekken zonder melding begonnen; de melding is wettelijk verplicht.",
    )


@check("sources_cited", 4, "Antwoorden noemen hun bron en uitleg", "urn:nl:ak:ver:awb-02")
def _sources(ctx: Context) -> Result:
    since = ctx.now - dt.timedelta(days=30)
    rows = ctx.session.execute(
        select(DecisionRecord.sources, DecisionRecord.summary_nl).where(
            DecisionRecord.timestamp >= since, DecisionRecord.action == "action_answer_from_knowledge_base"
        )
    ).all()
    if not rows:
        return AMBER, "Nog geen antwoorden uit de kennisbank in de afgelopen 30 dagen.", "Controleer na de eerste gesprekken."
    cited = sum(1 for sources, summary in rows if sources and summary)
    evidence = f"{cited} van {len(rows)} antwoorden met bron en uitleg, afgelopen 30 dagen."
    if cited == len(rows):
        return GREEN, evidence, ""
    return RED, evidence, "Geef elke tekst in de kennisbank een bron (data/knowledge)."


@check("accuracy", 5, "Nauwkeurigheid gemeten op een aparte testset", "urn:nl:ak:ver:awb-01")
def _accuracy(ctx: Context) -> Result:
    scores = ctx.facts.current_heldout
    if not scores:
        return AMBER, f"Geen meting voor het model dat nu draait ({ctx.facts.model_version}).", "Draai make eval-nlu."
    evidence = "; ".join(f"{s.label}: {s.accuracy:.1%} van {s.total}" for s in scores)
    if all(s.accuracy >= REQUIRED_ACCURACY for s in scores):
        return GREEN, evidence, ""
    return RED, evidence, f"Onder {REQUIRED_ACCURACY:.0%}: verbeter de trainingsdata (review) en train opnieuw."


@check("user_test", 5, "Getest met echte gebruikers", "urn:nl:ak:ver:grw-02")
def _user_test(ctx: Context) -> Result:
    return _declaration(ctx, "user_test", "datum en deelnemers (ook laaggeletterden en schermlezers)", "date", "participants")


@check("register_entry", 6, "Registratie in het Algoritmeregister volledig", "urn:nl:ak:ver:bzk-01")
def _register(ctx: Context) -> Result:
    entry = algoritmeregister.export(ctx.facts)
    problems = violations(entry)
    if problems:
        return RED, f"{len(problems)} fouten: " + "; ".join(problems[:3]), "Vul data/municipality.yml (register) aan."
    if entry.get("status") != "In gebruik" or not entry.get("website"):
        return (
            AMBER,
            f"Export voldoet aan de standaard; status '{entry.get('status')}'"
            + ("" if entry.get("website") else ", nog geen https-adres voor de publiekspagina"),
            "Zet bij livegang register.status op 'In gebruik' en GOV_PUBLIC_BASE_URL op het https-adres; publiceer.",
        )
    return GREEN, "Export voldoet aan publicatiestandaard 1.0 en is klaar om te publiceren.", ""


@check("audit_log", 6, "Logboek van medewerkers is onveranderd", "urn:nl:ak:ver:bio-01")
def _audit(ctx: Context) -> Result:
    result = audit.verify(ctx.session)
    if result.valid:
        return GREEN, f"Hashketen klopt ({result.entries} regels).", ""
    return RED, "De hashketen klopt niet: er is iets gewijzigd of verwijderd.", "Meld dit als beveiligingsincident."


@check("alert_rules", 6, "Alarmregels geladen in Prometheus", "urn:nl:ak:ver:aia-22")
def _alerts(ctx: Context) -> Result:
    url = ctx.runtime.settings.prometheus_url.rstrip("/")
    expected = _alert_names()
    if not url:
        return (
            AMBER,
            f"{len(expected)} alarmregels staan klaar; niet gecontroleerd (GOV_PROMETHEUS_URL leeg).",
            ("Zet GOV_PROMETHEUS_URL zodat de check kan zien dat Prometheus de regels heeft geladen."),
        )
    try:
        response = httpx.get(f"{url}/api/v1/rules", params={"type": "alert"}, timeout=3.0)
        groups = response.json()["data"]["groups"]
        loaded = {rule["name"] for group in groups for rule in group.get("rules", [])}
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return RED, f"Prometheus op {url} is niet bereikbaar.", "Start Prometheus met monitoring/prometheus.yml."
    missing = sorted(expected - loaded)
    if missing:
        return (
            RED,
            f"{len(missing)} van {len(expected)} alarmregels ontbreken: {', '.join(missing[:5])}.",
            ("Laad monitoring/alerts.rules.yml in Prometheus."),
        )
    return GREEN, f"Alle {len(expected)} alarmregels zijn geladen.", ""


def _alert_names() -> set[str]:
    data = yaml.safe_load(ALERT_RULES_FILE.read_text(encoding="utf-8")) or {}
    return {rule["alert"] for group in data.get("groups", []) for rule in group.get("rules", []) if "alert" in rule}


def _last_audited(ctx: Context, action: str) -> dt.datetime | None:
    """When the audit log last recorded this action (the evidence that a duty was carried out)."""
    return ctx.session.scalar(select(func.max(AuditEntry.timestamp)).where(AuditEntry.action == action))


@check("kill_switch_tested", 6, "Noodstop recent getest", "urn:nl:ak:ver:aia-09")
def _kill_switch(ctx: Context) -> Result:
    days = ctx.runtime.settings.kill_switch_test_days
    last = _last_audited(ctx, "kill_switch.enable")
    if last is None:
        return RED, "De noodstop is nog nooit gebruikt.", "Test de noodstop: aan en weer uit, met reden 'test'."
    if last < ctx.now - dt.timedelta(days=days):
        return AMBER, f"Laatst aangezet op {last:%Y-%m-%d}, langer dan {days} dagen geleden.", "Test de noodstop opnieuw."
    return GREEN, f"Laatst aangezet op {last:%Y-%m-%d %H:%M} UTC (binnen {days} dagen).", ""


@check("logs_kept", 6, "Beslisregels minstens zes maanden bewaard", "urn:nl:ak:ver:aia-23")
def _logs(ctx: Context) -> Result:
    days = ctx.runtime.settings.retention_decision_days
    return GREEN, f"Beslisregels worden {days} dagen bewaard.", ""


@check("staff_trained", 7, "Medewerkers hebben de handleiding gelezen", "urn:nl:ak:ver:aia-01")
def _staff(ctx: Context) -> Result:
    guide = load_guide()
    accounts = ctx.session.scalars(select(StaffAccount).where(StaffAccount.active.is_(True))).all()
    if not accounts:
        return RED, "Er zijn nog geen medewerkersaccounts.", "Maak accounts (python -m governance user add)."
    read = [a for a in accounts if has_read(a, guide)]
    evidence = f"{len(read)} van {len(accounts)} actieve accounts bevestigden handleiding versie {guide.version}."
    if len(read) == len(accounts):
        return GREEN, evidence, ""
    missing = ", ".join(a.name for a in accounts if a not in read)[:300]
    return (AMBER if read else RED), evidence, f"Laat deze mensen de handleiding in de console lezen: {missing}."


@check("human_reachable", 7, "Een mens is altijd bereikbaar", "urn:nl:ak:ver:avg-10")
def _human(ctx: Context) -> Result:
    settings = ctx.runtime.settings
    municipality = ctx.runtime.municipality
    hours = municipality.chat_hours
    if settings.chat_staffed == "never" and not municipality.phone:
        return (
            RED,
            "Geen chatmedewerkers en geen telefoonnummer.",
            "Zet GOV_CHAT_STAFFED en een telefoonnummer in de configuratie.",
        )
    days = len(hours.weekly)
    staffed = {"always": "altijd", "never": "nooit (alleen terugbellen)"}.get(settings.chat_staffed, f"{days} dagen per week")
    evidence = f"Chat met een medewerker: {staffed}; daarbuiten een terugbelformulier; telefoon {municipality.phone}."
    if settings.chat_staffed == "schedule" and days == 0:
        return AMBER, evidence, "Stel opening_hours.chat in, anders krijgt iedereen alleen het terugbelformulier."
    return GREEN, evidence, ""


@check("citizens_informed", 7, "Inwoners weten hoe de assistent werkt", "urn:nl:ak:ver:avg-07")
def _informed(ctx: Context) -> Result:
    privacy = ctx.facts.privacy
    page = f"{ctx.facts.public_base_url}/hoe-werkt-het"
    if not privacy.get("email"):
        return RED, "Geen privacy-contact in data/municipality.yml.", "Vul privacy.email in: de pagina en de DPIA noemen het."
    return GREEN, f"Pagina {page} met werking, bewaartermijnen en contact ({privacy['email']}); gelinkt vanuit de chat.", ""


@check("retention_ran", 8, "Bewaartermijnen worden uitgevoerd", "urn:nl:ak:ver:avg-02")
def _retention(ctx: Context) -> Result:
    last = _last_audited(ctx, "retention.run")
    interval = ctx.runtime.settings.retention_interval_minutes
    allowed = dt.timedelta(minutes=max(2 * interval, 120)) if interval > 0 else dt.timedelta(days=1)
    if last is None:
        return RED, "De opruimtaak heeft nog nooit gedraaid.", "Start de service of draai python -m governance retention run."
    if last < ctx.now - allowed:
        return AMBER, f"Laatst gedraaid op {last:%Y-%m-%d %H:%M} UTC.", "Controleer of de opruimtaak nog draait."
    return GREEN, f"Laatst gedraaid op {last:%Y-%m-%d %H:%M} UTC.", ""


@check("knowledge_reviewed", 8, "Teksten in de kennisbank op tijd gecontroleerd", "urn:nl:ak:ver:awb-01")
def _knowledge(ctx: Context) -> Result:
    today = ctx.now.date()
    answers = ctx.runtime.knowledge.all_answers()
    overdue = [a for a in answers if a.review_due < today]
    if overdue:
        names = ", ".join(sorted({a.topic for a in overdue}))[:300]
        return (
            RED,
            f"{len(overdue)} van {len(answers)} teksten over hun controledatum ({names}).",
            ("Laat de eigenaren de teksten controleren (taken op /governance)."),
        )
    return GREEN, f"Alle {len(answers)} teksten zijn binnen hun controledatum.", ""


@check("go_live", 8, "Besluit over livegang vastgelegd", "urn:nl:ak:ver:bzk-01")
def _go_live(ctx: Context) -> Result:
    return _declaration(ctx, "go_live", "datum en wie besloot", "date", "decided_by")


def run_checks(session: Session, runtime: Runtime, facts: Facts) -> list[Check]:
    ctx = Context(
        session=session,
        runtime=runtime,
        facts=facts,
        declarations=load_declarations(runtime.settings.readiness_file),
        now=runtime.clock(),
    )
    results = []
    for check_id, step, title, requirement, function in CHECKS:
        status, evidence, next_step = function(ctx)
        results.append(Check(check_id, step, title, requirement, status, evidence, next_step))
    return results


def summary(checks: list[Check]) -> dict[str, int]:
    return {status: sum(c.status == status for c in checks) for status in (GREEN, AMBER, RED)}
