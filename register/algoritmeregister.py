"""The Algoritmeregister entry (publication standard 1.0), written from the live facts. Long texts use only
the tags the register allows (p, ul, li); every value is escaped, so a municipality's name with an "&" or
"<" cannot break the entry."""

from __future__ import annotations

import html
from typing import Any

from governance.privacy.pii import KINDS
from knowledge.contract import EscalationReason
from register.facts import Facts
from register.phrases import PHRASES, phrase, render_words
from register.validation import TAG

REASONS_NL = {EscalationReason(reason): str(text) for reason, text in PHRASES["reasons"].items()}
RETENTION_NL = {str(kind): str(text) for kind, text in PHRASES["retention"].items()}
PII_NL = {kind.id: kind.label for kind in KINDS.values()}
LAWFUL_BASIS = [{"title": str(item["title"]), "link": str(item["link"])} for item in PHRASES["lawful_basis"]]


def _p(*sentences: str) -> str:
    return "<p>" + " ".join(html.escape(s, quote=False) for s in sentences if s) + "</p>"


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in items) + "</ul>"


def percent(value: float | None) -> str:
    return phrase("not_measured") if value is None else f"{value * 100:.1f}%".replace(".", ",")


def pii_list(facts: Facts) -> str:
    """The kinds of personal data the screen replaces, by their Dutch labels ("BSN, rekeningnummer, ...")."""
    return ", ".join(PII_NL.get(kind, kind) for kind in facts.pii_types)


def accuracy_sentence(facts: Facts) -> str:
    scores = facts.current_heldout
    if not scores:
        return phrase("accuracy_not_measured")
    parts = [
        phrase("accuracy_score", label=score.label.lower(), percent=percent(score.accuracy), total=score.total)
        for score in scores
    ]
    return phrase("accuracy_measured", scores="; ".join(parts))


def figures_sentence(facts: Facts) -> str:
    if not facts.conversations:
        return phrase("figures_no_conversations", days=facts.figure_days)
    reasons = ", ".join(
        phrase("reason_count", reason=REASONS_NL.get(reason, reason), count=count)
        for reason, count in sorted(facts.escalations_by_reason.items())
    )
    figures = phrase(
        "figures",
        days=facts.figure_days,
        conversations=facts.conversations,
        turns=facts.turns,
        containment=percent(facts.containment),
        handovers=facts.handovers,
    )
    return figures + (str(PHRASES["figures_reasons"]).format(reasons=reasons) if reasons else "")


def plain(value: object) -> str:
    """Plain-text fields carry no markup at all: configured values lose any tags."""
    return " ".join(TAG.sub("", str(value)).split())


def export(facts: Facts) -> dict[str, Any]:
    """The entry in the publication standard's fields; the words are in register/templates/algoritmeregister.yml.j2."""
    register = facts.register
    org = plain(register.get("organisation") or facts.municipality)
    words = render_words(
        "algoritmeregister.yml.j2",
        facts=facts,
        org=org,
        pii=pii_list(facts),
        retention=[phrase("retention_term", what=RETENTION_NL[k], days=d) for k, d in facts.retention_days.items()],
        reasons=list(REASONS_NL.values()),
        accuracy_sentence=accuracy_sentence(facts),
        figures_sentence=figures_sentence(facts),
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
