"""The Algoritmeregister entry (publication standard 1.0), written from the live facts. Long texts use only
the tags the register allows (p, ul, li); every value is escaped, so a municipality's name with an "&" or
"<" cannot break the entry."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import yaml

from governance.privacy.pii import KINDS
from governance.templating import document_environment
from knowledge.contract import EscalationReason
from register.facts import Facts
from register.validation import TAG

# How the register and the IAMA describe when a person takes over (low_confidence never hands over by itself:
# an unsure model asks first, and a second miss is repeated_fallback).
REASONS_NL = {
    EscalationReason.CITIZEN_REQUEST: "de inwoner vraagt om een medewerker",
    EscalationReason.CRISIS: "een noodsituatie (de hulpnummers komen direct)",
    EscalationReason.REPEATED_FALLBACK: "de assistent begrijpt de vraag twee keer niet",
    EscalationReason.SENSITIVE_TOPIC: "een persoonlijke vraag over bijstand, Wmo, schulden of een klacht",
    EscalationReason.KILL_SWITCH: "de noodstop staat aan",
    EscalationReason.BOT_UNAVAILABLE: "de assistent werkt even niet (storing)",
}
RETENTION_NL = {
    "transcript": "gesprekken",
    "decision": "beslisregels (uitleg per antwoord)",
    "audit": "het logboek van medewerkers",
    "callback": "open terugbelverzoeken",
}
PII_NL = {kind.id: kind.label for kind in KINDS.values()}
TEMPLATES = Path(__file__).resolve().parent / "templates"
LAWFUL_BASIS = [
    {"title": "AVG artikel 6 lid 1 sub e (taak van algemeen belang)", "link": "https://eur-lex.europa.eu/eli/reg/2016/679/oj"},
    {"title": "Wet open overheid", "link": "https://wetten.overheid.nl/BWBR0045754"},
    {"title": "Archiefwet 1995", "link": "https://wetten.overheid.nl/BWBR0007376"},
    {"title": "AI-verordening artikel 50 (transparantie)", "link": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"},
]


def _p(*sentences: str) -> str:
    return "<p>" + " ".join(html.escape(s, quote=False) for s in sentences if s) + "</p>"


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in items) + "</ul>"


def percent(value: float | None) -> str:
    return "nog niet gemeten" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def accuracy_sentence(facts: Facts) -> str:
    scores = facts.current_heldout
    if not scores:
        return (
            "De nauwkeurigheid van dit model is nog niet gemeten op een aparte testset; "
            "de gemeente laat dit meten voordat de assistent live gaat."
        )
    parts = [f"{score.label.lower()}: {percent(score.accuracy)} goed van {score.total} vragen" for score in scores]
    return "Gemeten op vragen die niet in de trainingsdata staan: " + "; ".join(parts) + "."


def figures_sentence(facts: Facts) -> str:
    if not facts.conversations:
        return f"In de afgelopen {facts.figure_days} dagen waren er nog geen gesprekken."
    reasons = ", ".join(
        f"{REASONS_NL.get(reason, reason)}: {count}" for reason, count in sorted(facts.escalations_by_reason.items())
    )
    return (
        f"In de afgelopen {facts.figure_days} dagen: {facts.conversations} gesprekken met {facts.turns} antwoorden; "
        f"{percent(facts.containment)} van de gesprekken werd zonder medewerker afgehandeld; "
        f"{facts.handovers} keer nam een medewerker het over."
        + (f" Redenen om een medewerker voor te stellen: {reasons}." if reasons else "")
    )


def plain(value: object) -> str:
    """Plain-text fields carry no markup at all: configured values lose any tags."""
    return " ".join(TAG.sub("", str(value)).split())


def export(facts: Facts) -> dict[str, Any]:
    """The entry in the publication standard's fields; the words are in register/templates/algoritmeregister.yml.j2."""
    register = facts.register
    org = plain(register.get("organisation") or facts.municipality)
    words = yaml.safe_load(
        document_environment(TEMPLATES)
        .get_template("algoritmeregister.yml.j2")
        .render(
            facts=facts,
            org=org,
            pii=", ".join(PII_NL.get(kind, kind) for kind in facts.pii_types),
            retention=[f"{RETENTION_NL[kind]}: {days} dagen" for kind, days in facts.retention_days.items()],
            reasons=list(REASONS_NL.values()),
            accuracy_sentence=accuracy_sentence(facts),
            figures_sentence=figures_sentence(facts),
        )
    )
    entry: dict[str, Any] = {
        "name": str(words["name"])[:100],
        "description_short": str(words["description_short"]),
        "organization": org[:100],
        "category": list(words["category"]),
        "status": str(register.get("status") or words["default_status"]),
        "contact_email": str(register.get("contact_email") or facts.privacy.get("email") or ""),
        "publication_category": str(words["publication_category"]),
        "goal": _p(*words["goal"]),
        "proportionality": _p(*words["proportionality"]),
        "human_intervention": _p(words["human_intervention"]["intro"]) + _ul(words["human_intervention"]["items"]),
        "risks": _p(words["risks"]["intro"]) + _ul(words["risks"]["items"]),
        "lawful_basis": _p(*words["lawful_basis"]),
        "lawful_basis_grouping": LAWFUL_BASIS,
        "impacttoetsen": _p(*words["impacttoetsen"]),
        "impacttoetsen_grouping": _impact_assessments(register),
        "source_data": _p(*words["source_data"]),
        "methods_and_models": _p(*words["methods_and_models"]),
        "provider": plain(register.get("provider") or words["default_provider"])[:200],
        "lang": "nld",
        "standard_version": "1.0",
        "source_id": (facts.model_version or "gemeente-assistent")[:100],
    }
    for key in ("begin_date", "end_date", "lars"):
        if register.get(key):
            entry[key] = str(register[key])
    website = f"{facts.public_base_url}/hoe-werkt-het"
    if website.startswith("https://"):
        entry["website"] = website
    if str(register.get("publiccode_url") or "").startswith("https://"):
        entry["publiccode"] = str(register["publiccode_url"])
    return entry


def _impact_assessments(register: dict[str, Any]) -> list[dict[str, str]]:
    items = []
    for title, key in (
        ("Data Protection Impact Assessment (DPIA)", "dpia_url"),
        ("Impact Assessment Mensenrechten en Algoritmes (IAMA)", "iama_url"),
    ):
        item = {"title": title}
        if str(register.get(key) or "").startswith("https://"):
            item["link"] = str(register[key])
        items.append(item)
    return items
