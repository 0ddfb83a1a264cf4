"""Names and street addresses found by deduce, the maintained Dutch de-identification library.

deduce knows Dutch first names, surnames, tussenvoegsels, streets and places from its lookup lists, which a
handful of hand-written patterns never could ("met Pieter-Jan van der Berg", "mijn vrouw Annelies
Verhoeven-Smit"). It was written for medical records, so two of its habits are corrected here for a municipal
chat: a place or a street *without* a house number is kept (a melding needs "de Kerkstraat", an answer needs
"Voorbeeldstad"), and a name-like word that is really a street ("op de Prins Hendrikstraat") is not a name.

Building deduce's lookup structures takes one to two minutes the first time after an install; `make setup`
does that (scripts/setup.sh, and the governance Docker image at build time), and loading them afterwards
takes a few seconds at start-up, before the service reports ready. Each message then costs about a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.contract import PiiKind

# deduce's processor groups that this screen does not use: numbers, dates, e-mail and phone numbers are found
# by the screen's own validators (python-stdnum, calendar checks), and the institution lists are of hospitals.
UNUSED_GROUPS = frozenset({"dates", "ages", "identifiers", "phone_numbers", "email_addresses", "urls", "institutions"})
STREET_WORD = re.compile(
    r"(?i)(straat|laan|weg|plein|gracht|kade|singel|dijk|hof|park|pad|steeg|dreef|markt|baan|wal|veld|erf|hoek|haven|plantsoen)$"
)
# What may follow a house number and still belong to it: "102-3", "17a", "4 bis", "88-huis", "12 hoog", "3-hs".
HOUSE_NUMBER_TAIL = re.compile(r"(?i)^(?:-\d{1,4}|[a-z](?![a-z])|(?:[ -](?:bis|huis|hs|hoog|boven|beneden|rd|zw|ii|iii))\b)")

TUSSENVOEGSELS = frozenset({"van", "de", "der", "den", "het", "ten", "ter", "te", "in", "op", "uit"})
COURTESY_TITLE = re.compile(r"(?i)^(?:mevrouw|meneer|mevr\.?|mw\.?|dhr\.?|de heer|juffrouw|dokter|dr\.?)\s+")


@dataclass(frozen=True)
class Span:
    kind: str  # "name" or "address"
    start: int
    end: int


class NameFinder:
    def __init__(self, keep: Iterable[str]) -> None:
        from deduce import Deduce  # heavy: its lookup lists take ~1 GB while loading, once per process

        self._deduce = Deduce()
        self._keep = {word.lower() for word in keep}
        self._places = self._deduce.lookup_structs["placename"]

    def _is_place(self, value: str) -> bool:
        words = value.split()
        while words and words[0].lower() in TUSSENVOEGSELS:
            words = words[1:]
        if not words:
            return False
        tokens = [part for word in words for part in (word, " ")][:-1]
        match = self._places.longest_matching_prefix(tokens)
        return match is not None and len(match) == len(tokens)

    def find(self, text: str) -> list[Span]:
        document = self._deduce.deidentify(text, disabled=set(UNUSED_GROUPS))
        spans = []
        for annotation in document.annotations:
            value = annotation.text
            if value.lower() in self._keep or any(word.lower() in self._keep for word in value.split()):
                continue
            if annotation.tag.startswith("persoon") or annotation.tag.startswith("patient"):
                if STREET_WORD.search(value.split()[-1]):
                    continue  # "Prins Hendrikstraat" named without a number: a street, and it is kept
                if self._is_place(value):
                    continue  # "van Amsterdam": deduce knows Amsterdam as a surname too; a place is kept
                start = annotation.start_char
                title = COURTESY_TITLE.match(value)
                if title:  # "mevrouw Yilmaz": the title stays, it helps the answer and names nobody
                    start += title.end()
                spans.append(Span(PiiKind.NAME.value, start, annotation.end_char))
            elif annotation.tag.startswith("locatie") and any(ch.isdigit() for ch in value):
                end = annotation.end_char
                tail = HOUSE_NUMBER_TAIL.match(text[end:])
                if tail:
                    end += tail.end()
                spans.append(Span(PiiKind.ADDRESS.value, annotation.start_char, end))
        return spans
