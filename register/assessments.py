"""DPIA draft (sections of the Model DPIA Rijksdienst v3.0) and IAMA draft, filled with the live facts.
What the system knows is written out; what only the municipality can judge is a Todo."""

from __future__ import annotations

from governance.privacy.pii import KINDS
from register.algoritmeregister import PII_NL, REASONS_NL, RETENTION_NL, accuracy_sentence, figures_sentence
from register.document import Document, Section, Table, Todo
from register.facts import Facts

RETENTION_WHY = {
    "transcript": "lang genoeg om een gesprek af te handelen en een klacht te onderzoeken",
    "decision": "de AI-verordening vraagt logs van minstens zes maanden",
    "audit": "beveiliging (BIO 8.15): wie deed wat, een jaar terug te zien",
    "callback": "een terugbelverzoek dat niet is opgepakt, vervalt; afgehandelde verzoeken gaan direct weg",
}


def _stamp(facts: Facts, kind: str) -> str:
    return (
        f"Concept {kind}, gemaakt door het systeem op {facts.generated_at:%d-%m-%Y %H:%M} UTC uit de actuele instellingen "
        f"(model {facts.model_version or 'niet geladen'}, kennisbank {facts.knowledge_version}). "
        "Onderdelen met 'In te vullen door de gemeente' schrijven mensen zelf."
    )


def _retention_table(facts: Facts) -> Table:
    return Table(
        ["Gegevens", "Bewaartermijn", "Waarom"],
        [[RETENTION_NL[k].capitalize(), f"{days} dagen", RETENTION_WHY[k]] for k, days in facts.retention_days.items()],
    )


def _special_list() -> str:
    return ", ".join(f"{kind.placeholder} ({kind.label})" for kind in KINDS.values() if kind.special)


def _pii_list(facts: Facts) -> str:
    return ", ".join(PII_NL.get(kind, kind) for kind in facts.pii_types)


RISKS = [
    # risk, likelihood, impact, measure
    (
        "Een inwoner deelt persoonsgegevens (BSN, adres, gezondheid) in de chat",
        "hoog",
        "middel",
        "Automatische herkenning en vervanging vóór opslag en vóór het taalmodel; melding aan de inwoner. "
        "Bijzondere gegevens zoals gezondheid in gewone woorden worden niet herkend: restrisico.",
    ),
    (
        "Een verkeerd of verouderd antwoord",
        "middel",
        "middel",
        "Alleen vaste teksten met bron, eigenaar en controledatum; wedervraag bij twijfel; duim omlaag en reviewwachtrij.",
    ),
    (
        "Een noodsituatie wordt niet herkend",
        "laag",
        "hoog",
        "Vaste regels naast het model; hulpnummers direct, ook als het model of de assistent uit staat.",
    ),
    (
        "Uitsluiting van mensen met weinig digitale of taalvaardigheid",
        "middel",
        "middel",
        "B1-taal, toegankelijke chat, altijd een medewerker, telefoon of balie.",
    ),
    (
        "Onbevoegde inzage in gesprekken",
        "laag",
        "hoog",
        "Rollen per medewerker, elke inzage in het logboek met hashketen, terugbelgegevens versleuteld.",
    ),
    (
        "Gegevens langer bewaard dan nodig",
        "laag",
        "middel",
        "Automatische verwijdering per soort gegeven (zie bewaartermijnen); recht op verwijdering in de chat.",
    ),
]


def dpia(facts: Facts) -> Document:
    org = facts.municipality
    return Document(
        title=f"DPIA digitale assistent — {org}",
        subtitle=_stamp(facts, "DPIA") + " Indeling: Model DPIA Rijksdienst v3.0.",
        sections=[
            Section("0", "Inleiding", [Todo("openingsalinea, verwijzing naar het privacybeleid en hoe deze DPIA is opgesteld")]),
            Section(
                "1",
                "Voorstel",
                [
                    f"{org} zet op de website een digitale assistent (chat) in. Inwoners stellen vragen in gewone taal; de "
                    "assistent herkent het onderwerp en geeft een vaste tekst van de gemeente met de bron. Hij neemt geen "
                    "besluiten en vraagt niets aan. Een medewerker kan het gesprek overnemen.",
                    f"Talen: de assistent antwoordt in het {' en '.join(facts.languages_answered)}. De taal van elk bericht "
                    "wordt op het apparaat van de gemeente herkend (lingua, zonder gegevens naar buiten) en alleen als "
                    f"taalcode bij de beslissing bewaard. Wie schrijft in het {', '.join(facts.languages_with_notice)}, "
                    "krijgt in die taal een vast bericht met telefoonnummer, balie en hulpnummers; dat bericht gaat niet "
                    "langs het taalmodel.",
                    Todo("aanleiding en beweegredenen van het voorstel; wie heeft het besloten"),
                ],
            ),
            Section(
                "2",
                "Persoonsgegevens",
                [
                    Table(
                        ["Categorie", "Welke gegevens", "Hoe beschermd"],
                        [
                            [
                                "Inwoners: chattekst",
                                "wat de inwoner typt",
                                f"{_pii_list(facts)} worden vervangen door een label vóór opslag",
                            ],
                            ["Inwoners: gesprek", "willekeurige gespreks-id, tijdstippen", "geen koppeling met de inwoner"],
                            [
                                "Inwoners: terugbelverzoek",
                                "naam, telefoon of e-mail, vraag (met toestemming)",
                                "versleuteld; alleen voor de toegewezen medewerker; weg na afhandeling",
                            ],
                            [
                                "Inwoners: waardering",
                                "duim omhoog/omlaag, optioneel commentaar",
                                "commentaar wordt ook gescreend",
                            ],
                            ["Medewerkers", "naam, rol, handelingen in de console", "logboek met hashketen"],
                        ],
                    )
                ],
            ),
            Section(
                "3",
                "Gegevensverwerking",
                [
                    [
                        "Vragen beantwoorden uit de kennisbank",
                        "Doorverbinden met een medewerker en terugbelverzoeken",
                        "Verantwoorden: per antwoord een beslisregel met uitleg (onderwerp, zekerheid, bron, regel)",
                        "Verbeteren: twijfelgevallen controleren, nieuwe voorbeeldzinnen met vier ogen",
                        "Beveiligen: logboek van handelingen van medewerkers",
                    ]
                ],
            ),
            Section(
                "4",
                "Technieken en methoden van de gegevensverwerkingen",
                [
                    f"Rasa {facts.rasa_version} met een model dat alleen op eigen voorbeeldzinnen is getraind "
                    f"({facts.training_examples} zinnen, {facts.intents} soorten vragen; "
                    f"onderdelen: {', '.join(facts.pipeline)}). "
                    "Geen groot taalmodel en geen tekst die de computer zelf verzint.",
                    accuracy_sentence(facts),
                    "Vaste regels voor noodsituaties en voor de vraag naar een mens, los van het model. "
                    "Alles draait op servers van de gemeente; geen verzoeken aan derden.",
                ],
            ),
            Section(
                "5",
                "Verwerkingsdoeleinden",
                [
                    "Inwoners informeren en doorverwijzen (publieke dienstverlening); "
                    "verantwoorden en verbeteren van de assistent."
                ],
            ),
            Section(
                "6",
                "Betrokken partijen",
                [
                    f"{org}: verwerkingsverantwoordelijke. Eigenaar van het algoritme: "
                    f"{facts.register.get('algorithm_owner') or 'onbekend'}.",
                    Todo("hostingpartij en andere verwerkers, met verwerkersovereenkomst"),
                ],
            ),
            Section(
                "7",
                "Belangen bij de gegevensverwerkingen",
                [Todo("belangen van inwoners, medewerkers en de gemeente; consultatie")],
            ),
            Section(
                "8", "Verwerkingslocaties", [Todo("waar de servers staan; of er doorgifte buiten de EER is (verwacht: nee)")]
            ),
            Section(
                "9",
                "Juridisch en beleidsmatig kader",
                [["AVG en UAVG", "AI-verordening (artikel 50: transparantie)", "Wet open overheid", "Archiefwet 1995", "BIO"]],
            ),
            Section("10", "Bewaartermijnen", [_retention_table(facts)]),
            Section(
                "11",
                "Rechtsgrond",
                [
                    "Chat: AVG artikel 6 lid 1 sub e (taak van algemeen belang). "
                    "Terugbelverzoek: toestemming van de inwoner (artikel 6 lid 1 sub a), gevraagd in het formulier.",
                    Todo("toets van de rechtsgrond door de privacyjurist"),
                ],
            ),
            Section(
                "12",
                "Bijzondere persoonsgegevens, strafrechtelijke persoonsgegevens en nationale identificatienummers",
                [
                    "12.3 Nationale identificatienummers: de assistent heeft geen grondslag voor het BSN (UAVG artikel 46). "
                    "Een BSN wordt herkend met de elfproef en vervangen door [BSN] voordat het wordt opgeslagen, gelogd of "
                    "naar het model gaat. Een nummer dat de inwoner een BSN, rekeningnummer, zaak-, dossier-, klant- of "
                    "vergunningnummer noemt, wordt ook vervangen als de controle faalt (een tikfout is nog steeds iemands "
                    "nummer).",
                    "12.1 Bijzondere persoonsgegevens (AVG artikel 9) en strafrechtelijke gegevens (artikel 10) kunnen in "
                    "vrije tekst staan, bijvoorbeeld een ziekte bij een Wmo-vraag. Een woordenlijst in "
                    "data/privacy_screen.yml herkent ze en vervangt ze vóór opslag door een label van de soort: "
                    f"{_special_list()}. Het model leest het label, zodat de vraag nog begrepen wordt; de tekst zelf wordt "
                    "nergens bewaard. Algemene woorden die nodig zijn voor het antwoord en geen aandoening noemen (ziek, "
                    "beperking, rolstoel, zwanger) blijven staan. De assistent vraagt nooit naar deze gegevens.",
                    Todo("beoordeling van het restrisico: een aandoening die niet in de woordenlijst staat, blijft staan"),
                ],
            ),
            Section("13", "Doelbinding", ["Gesprekken worden niet gebruikt voor een ander doel dan in paragraaf 5."]),
            Section(
                "14",
                "Noodzaak en evenredigheid",
                [
                    "Subsidiariteit: inwoners kunnen ook bellen, mailen of langskomen; de chat is een extra kanaal.",
                    "Proportionaliteit: alleen de getypte tekst, zonder persoonsgegevens, korte bewaartermijnen.",
                    figures_sentence(facts),
                    Todo("afweging door de gemeente"),
                ],
            ),
            Section(
                "15",
                "Rechten van de betrokkenen",
                [
                    [
                        "Inzage en dataportabiliteit: 'Gesprek downloaden' in de chat (JSON of tekst); medewerkers op verzoek",
                        "Vergetelheid: 'Gesprek wissen' in de chat; medewerkers op verzoek, met reden in het logboek",
                        "Geen uitsluitend geautomatiseerde besluiten: de assistent neemt geen besluiten",
                        "Duidelijke informatie: het eerste bericht zegt dat het een computerprogramma is; pagina "
                        f"'Hoe werkt de digitale assistent?' ({facts.public_base_url}/hoe-werkt-het)",
                        f"Bezwaar en vragen: {facts.privacy.get('email') or 'privacy-adres'}",
                    ]
                ],
            ),
            Section(
                "16",
                "Risico's voor betrokkenen",
                [
                    Table(["Risico", "Kans", "Impact"], [[r, k, i] for r, k, i, _ in RISKS]),
                    Todo("eigen inschatting van kans en impact"),
                ],
            ),
            Section(
                "17",
                "Maatregelen",
                [
                    Table(["Risico", "Maatregel in het systeem"], [[r, m] for r, _, _, m in RISKS]),
                    Todo("onderbouwing van de acceptatie van de restrisico's"),
                ],
            ),
            Section("18", "Managementsamenvatting", [Todo("samenvatting voor het bestuur")]),
            Section(
                "19",
                "Versie, status, DPIA-dossier, documentbeheerder en advies FG",
                [
                    f"Versie: gegenereerd op {facts.generated_at:%d-%m-%Y}, model {facts.model_version or 'niet geladen'}.",
                    Todo("advies van de functionaris gegevensbescherming"),
                ],
            ),
            Section("20", "Vaststelling en ondertekening", [Todo("naam en handtekening van de verwerkingsverantwoordelijke")]),
        ],
    )


def iama(facts: Facts) -> Document:
    org = facts.municipality
    reasons = "; ".join(REASONS_NL.values())
    return Document(
        title=f"IAMA digitale assistent — {org}",
        subtitle=_stamp(facts, "IAMA") + " Indeling: Impact Assessment Mensenrechten en Algoritmes.",
        sections=[
            Section(
                "1.1",
                "Aanleiding en doelstelling",
                [
                    "Inwoners snel en in eenvoudige taal helpen met veelgestelde vragen, dag en nacht, en drukte aan de "
                    "telefoon verminderen, zonder dat iemand een mens verliest als aanspreekpunt.",
                    Todo("aanleiding in de eigen organisatie"),
                ],
            ),
            Section("1.2", "Publieke waarden", [Todo("welke publieke waarden de inzet dient en welke onder druk kunnen staan")]),
            Section("1.3", "Wettelijke grondslag", ["AVG artikel 6 lid 1 sub e; AI-verordening artikel 50; Wet open overheid."]),
            Section(
                "1.4",
                "Verantwoordelijkheden",
                [
                    f"Eigenaar van het algoritme: {facts.register.get('algorithm_owner') or 'onbekend'}.",
                    Todo("bestuurlijk verantwoordelijke"),
                ],
            ),
            Section(
                "2.1",
                "Type algoritme",
                ["Een zelflerend model (intentherkenning, DIET) met vaste regels ervoor en vaste antwoordteksten erachter."],
            ),
            Section(
                "2.2B",
                "Totstandkoming algoritme — zelflerend",
                [
                    f"Getraind op {facts.training_examples} voorbeeldzinnen van de gemeente over {facts.intents} soorten vragen; "
                    f"model {facts.model_version or 'niet geladen'}"
                    + (f", getraind op {facts.model_trained_at:%d-%m-%Y}." if facts.model_trained_at else "."),
                    "Nieuwe voorbeeldzinnen uit echte gesprekken (zonder persoonsgegevens) komen pas in de training na "
                    "goedkeuring door twee verschillende mensen.",
                ],
            ),
            Section(
                "2.3",
                "Inzet algoritme",
                ["De uitkomst is een keuze voor een vaste tekst of voor doorverbinden, nooit een besluit."],
            ),
            Section(
                "2.4",
                "Kwaliteit en accuraatheid",
                [
                    accuracy_sentence(facts),
                    f"Onder een zekerheid van {facts.fallback_threshold} stelt de assistent een wedervraag."
                    if facts.fallback_threshold is not None
                    else "De assistent stelt een wedervraag bij twijfel.",
                    figures_sentence(facts),
                ],
            ),
            Section(
                "2.5",
                "Data governance en -beveiliging",
                [
                    f"Persoonsgegevens ({_pii_list(facts)}) worden vervangen vóór opslag.",
                    _retention_table(facts),
                ],
            ),
            Section("3.1", "Gebruikscontext", ["De chat op de website van de gemeente, naast telefoon, e-mail en balie."]),
            Section(
                "3.2",
                "De rol van de medewerker",
                [
                    f"Een medewerker neemt over bij: {reasons}.",
                    "De medewerker ziet per antwoord de uitleg en kan de noodstop gebruiken (beheerders). "
                    f"Actieve medewerkersaccounts: {facts.active_staff}. Medewerkers lezen de handleiding in de console en "
                    "bevestigen dat (AI-geletterdheid).",
                ],
            ),
            Section(
                "3.3",
                "Communicatie",
                [
                    "Het eerste bericht zegt dat de inwoner met een computerprogramma praat; 'Waarom dit antwoord?' toont de "
                    "uitleg; de pagina 'Hoe werkt de digitale assistent?' legt uit wat er met gegevens gebeurt.",
                ],
            ),
            Section(
                "3.4",
                "Monitoring en evaluatie",
                [
                    "Cijfers in Prometheus/Grafana en op het governance-dashboard, met alarmen (daling containment, meer "
                    "wedervragen, verschuiving in zekerheid, lange wachttijden, noodstop aan).",
                    Todo("wie evalueert, hoe vaak, en wanneer de inzet stopt"),
                ],
            ),
            Section(
                "3.5",
                "Impact op betrokkenen en maatschappij",
                [Todo("verwachte effecten, ook voor mensen die de chat niet gebruiken")],
            ),
            Section(
                "4.1",
                "Grondrechten",
                [
                    [
                        "Privacy (artikel 10 Grondwet, artikelen 7 en 8 Handvest): persoonsgegevens in vrije tekst; zie de DPIA",
                        "Gelijke behandeling (artikel 1 Grondwet, artikel 21 Handvest): mensen die anders schrijven of weinig "
                        "Nederlands spreken worden slechter begrepen; zij krijgen een wedervraag en een medewerker",
                        "Behoorlijk bestuur en toegang tot dienstverlening (artikel 41 Handvest): een mens blijft bereikbaar",
                    ],
                    Todo("ernst van de inbreuk, doeltreffendheid en noodzakelijkheid per grondrecht (vragen 4.3-4.5)"),
                ],
            ),
            Section("5", "Afsluiting", [Todo("belangenafweging, advies over de inzet en acceptatie van restrisico's")]),
        ],
    )
