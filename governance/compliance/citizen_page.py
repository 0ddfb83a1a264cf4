"""The citizen page "Hoe werkt de digitale assistent?" (guide step 7, AVG art. 12-13, AI Act art. 50):
written in B1 Dutch from the same configuration the system runs on, so retention terms, contact details and
office hours on the page are always the real ones. Every value is escaped."""

from __future__ import annotations

from html import escape

from governance.runtime import Runtime

PAGE_PATH = "/hoe-werkt-het"


def render(runtime: Runtime) -> str:
    m = runtime.municipality
    s = runtime.settings
    privacy = m.raw.get("privacy") or {}
    privacy_email = escape(str(privacy.get("email") or m.email))
    privacy_page = str(privacy.get("page") or "")
    name = escape(m.name)
    phone = escape(m.phone)
    sections = [
        (
            "Wat doet de digitale assistent?",
            [
                f"De digitale assistent beantwoordt vragen over de diensten van {name}. Bijvoorbeeld over je paspoort, "
                "verhuizen, afval, parkeren of belastingen.",
                "De assistent is een computerprogramma, geen mens. Dat zegt hij ook bij het eerste bericht.",
                "Hij zoekt uit wat je bedoelt en geeft dan een vaste tekst van de gemeente. Bij elk antwoord staat de bron. "
                "De computer verzint zelf geen tekst.",
                "Met 'Waarom dit antwoord?' zie je waarom je dit antwoord kreeg.",
            ],
        ),
        (
            "Wat doet de assistent niet?",
            [
                "De assistent neemt geen besluiten over jou. Hij vraagt niets voor je aan en beoordeelt niets. "
                "Hij geeft informatie en helpt je op weg.",
            ],
        ),
        (
            "Hoe spreek ik een mens?",
            [
                "Typ 'ik wil een medewerker spreken'. Tijdens openingstijden neemt een medewerker het gesprek over. "
                "Je ziet hoeveel mensen er voor je wachten.",
                f"Buiten openingstijden kun je vragen of we je terugbellen. Je kunt ook bellen met {phone}: "
                f"{escape(m.phone_hours)}.",
                "Bij direct gevaar bel je 112. Denk je aan zelfdoding? Bel 113 (0800-0113). "
                "Huiselijk geweld: Veilig Thuis (0800-2000).",
            ],
        ),
        (
            "Welke gegevens bewaren we en hoe lang?",
            [
                "Deel geen persoonlijke gegevens in de chat. Typ je toch bijvoorbeeld je BSN, adres, telefoonnummer of "
                "rekeningnummer? Dan halen we die eruit voordat we iets bewaren.",
                f"We bewaren het gesprek {s.retention_transcript_days} dagen. Daarna wissen we het automatisch.",
                f"Een korte uitleg van elk antwoord bewaren we {s.retention_decision_days} dagen, zonder je persoonlijke "
                "gegevens. Zo kunnen we laten zien hoe de assistent werkt en hem verbeteren. De wet vraagt dit ook.",
                "Vraag je om terugbellen? Dan bewaren we je naam en telefoonnummer of e-mailadres versleuteld. "
                f"We wissen ze zodra we je hebben geholpen, en anders na {s.retention_callback_days} dagen.",
            ],
        ),
        (
            "Jouw rechten",
            [
                "Met 'Gesprek downloaden' krijg je een kopie van je gesprek. Met 'Gesprek wissen' wis je het meteen.",
                f"Wil je iets anders weten over je gegevens, of ben je het er niet mee eens? Mail naar {privacy_email}.",
                "Je mag altijd kiezen voor een gesprek met een mens in plaats van de assistent.",
            ],
        ),
    ]
    body = "".join(
        f"<section><h2>{escape(title)}</h2>" + "".join(f"<p>{text}</p>" for text in paragraphs) + "</section>"
        for title, paragraphs in sections
    )
    links = '<p><a href="/">Terug naar de chat</a></p>'
    if privacy_page.startswith("https://"):
        links += f'<p><a href="{escape(privacy_page)}">Privacyverklaring van {name}</a></p>'
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Hoe werkt de digitale assistent? – {name}</title>"
        '<link rel="stylesheet" href="/static/vendor/nlds.css"><link rel="stylesheet" href="/static/info.css"></head>'
        '<body class="ga-theme"><main id="inhoud">'
        f"<h1>Hoe werkt de digitale assistent?</h1>{body}{links}</main></body></html>"
    )
