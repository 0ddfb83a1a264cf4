"""The Algoritmeregister entry (publication standard 1.0), written from the live facts. Long texts use only
the tags the register allows (p, ul, li); every value is escaped, so a municipality's name with an "&" or
"<" cannot break the entry."""

from __future__ import annotations

import html
from typing import Any

from governance.privacy.pii import KINDS
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
    register = facts.register
    org = plain(register.get("organisation") or facts.municipality)
    retention = [f"{RETENTION_NL[kind]}: {days} dagen" for kind, days in facts.retention_days.items()]
    pii = ", ".join(PII_NL.get(kind, kind) for kind in facts.pii_types)
    model = facts.model_version or "nog geen model geladen"
    trained = facts.model_trained_at.strftime("%d-%m-%Y") if facts.model_trained_at else "onbekend"
    entry: dict[str, Any] = {
        "name": f"Digitale assistent (chat) {org}"[:100],
        "description_short": (
            f"Op de website van {org} beantwoordt een digitale assistent vragen van inwoners, bijvoorbeeld over "
            "paspoort, verhuizen, afval en belastingen. De antwoorden zijn vaste teksten van de gemeente. "
            "De assistent neemt geen besluiten. Een medewerker is altijd bereikbaar."
        ),
        "organization": org[:100],
        "category": ["Organisatie en bedrijfsvoering", "Sociale zekerheid", "Wonen"],
        "status": str(register.get("status") or "In ontwikkeling"),
        "contact_email": str(register.get("contact_email") or facts.privacy.get("email") or ""),
        "publication_category": "Impactvolle algoritmes",
        "goal": _p(
            "Inwoners krijgen dag en nacht snel een duidelijk antwoord op veelgestelde vragen, in eenvoudige taal (B1).",
            "De assistent herkent het onderwerp van de vraag en kiest een vaste tekst van de gemeente met de bron erbij.",
            "Hij geeft informatie en verwijst door. Hij neemt geen besluiten, vraagt niets aan en beoordeelt niemand.",
            "Bij twijfel vraagt hij wat de inwoner bedoelt. Bij een noodsituatie geeft hij direct de hulpnummers.",
        ),
        "proportionality": _p(
            "Voor dit doel is weinig nodig: alleen de tekst die de inwoner typt.",
            f"Persoonsgegevens in die tekst ({pii}) worden vervangen door een label "
            "voordat iets wordt opgeslagen of doorgestuurd.",
            "Er is geen koppeling met andere gegevens van de inwoner. Wie liever een mens spreekt, kan dat altijd.",
            "Gegevens worden automatisch verwijderd na: " + "; ".join(retention) + ".",
        ),
        "human_intervention": _p("Mensen houden toezicht en kunnen altijd ingrijpen:")
        + _ul(
            [
                "Een medewerker neemt het gesprek over als " + "; ".join(REASONS_NL[r] for r in REASONS_NL) + ".",
                "Buiten openingstijden kan de inwoner een terugbelverzoek doen.",
                "Medewerkers zien bij elk antwoord de uitleg: onderwerp, zekerheid, bron en regel.",
                "Een noodstop zet de assistent direct uit; elke wijziging staat in een beveiligd logboek.",
                "Nieuwe voorbeeldzinnen komen pas in de training na controle door twee verschillende mensen (vier ogen).",
                "Teksten hebben een eigenaar en een datum waarop ze opnieuw worden gecontroleerd.",
            ]
        ),
        "risks": _p("Risico's en wat de gemeente daartegen doet:")
        + _ul(
            [
                "Een verkeerd antwoord: alleen vaste, gecontroleerde teksten met bron; bij twijfel een wedervraag; "
                "inwoners geven een duim omhoog of omlaag en medewerkers controleren de twijfelgevallen.",
                "Uitsluiting van mensen die moeite hebben met lezen of met computers: B1-taal, toegankelijke chat (WCAG), "
                "en altijd een medewerker, telefoon of balie als alternatief.",
                "Persoonsgegevens in vrije tekst: automatisch vervangen voordat iets wordt opgeslagen; "
                "de inwoner krijgt uitleg waarom.",
                "Een noodsituatie die de assistent mist: vaste regels herkennen crisisberichten los van het model.",
                "Inwoners die geen Nederlands lezen: de assistent antwoordt in het "
                + " en ".join(facts.languages_answered)
                + "; wie schrijft in het "
                + ", ".join(facts.languages_with_notice)
                + " krijgt in die taal een vast bericht met telefoonnummer, balie en hulpnummers.",
            ]
        ),
        "lawful_basis": _p(
            "De gemeente informeert inwoners als taak van algemeen belang (AVG artikel 6 lid 1 sub e).",
            "Openheid over het algoritme volgt uit de Wet open overheid; bewaren en vernietigen uit de Archiefwet.",
            "De assistent zegt bij het eerste bericht dat hij een computerprogramma is (AI-verordening artikel 50).",
        ),
        "lawful_basis_grouping": LAWFUL_BASIS,
        "impacttoetsen": _p(
            "Voor de assistent zijn een DPIA (gegevensbescherming) en een IAMA (mensenrechten) opgesteld. "
            "Het systeem maakt zelf de concepten met de actuele instellingen en cijfers; "
            "de gemeente vult ze aan en stelt ze vast."
        ),
        "impacttoetsen_grouping": _impact_assessments(register),
        "source_data": _p(
            "De assistent leert van voorbeeldzinnen die de gemeente zelf schreef en controleerde "
            f"({facts.training_examples} zinnen over {facts.intents} soorten vragen).",
            "Gesprekken worden alleen bewaard zonder persoonsgegevens, om de assistent te verbeteren en te verantwoorden.",
        ),
        "methods_and_models": _p(
            f"Rasa {facts.rasa_version} herkent het onderwerp van een vraag met een model dat alleen op eigen voorbeeldzinnen "
            f"is getraind (geen groot taalmodel, geen tekst die de computer zelf verzint). Model {model}, getraind op {trained}.",
            accuracy_sentence(facts),
            f"Onder een zekerheid van {facts.fallback_threshold} stelt de assistent een wedervraag in plaats van te gokken."
            if facts.fallback_threshold is not None
            else "",
            f"De antwoorden komen uit {facts.knowledge_answers} vaste teksten over {facts.topics} onderwerpen "
            f"(versie {facts.knowledge_version}).",
            figures_sentence(facts),
        ),
        "provider": plain(register.get("provider") or "Eigen beheer (open source: gemeente-assistent)")[:200],
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
