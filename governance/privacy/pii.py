"""The PII screen: finds personal data in a citizen's message and replaces it with a typed place-holder.

It runs on every message before it is stored, logged or sent to Rasa (a chat assistant has no legal basis
to keep a BSN: UAVG art. 46). Rules and lookup lists, not a statistical model, so every hit can be explained:

- numbers are folded first (Unicode look-alike digits, full-width characters, odd dashes and spaces), then
  read as runs of digit groups ("123 456 782", "123.456.782", "+31 (0)6 1234 5678") that are checked:
  BSN and IBAN with python-stdnum's validators, phone numbers by their Dutch shapes, dates as real dates;
- a number *presented* as a BSN, IBAN, case, file, permit or client number ("bsn 214.883.521") is removed
  whatever its checksum: a typo in a BSN is still somebody's BSN;
- e-mail, postcode (with house number), licence plates by the Dutch side codes;
- names and street addresses with deduce, the Dutch de-identification library (privacy.names), beside a
  blank Dutch spaCy pipeline (no downloaded model) with patterns for names after "ik heet", dates with a
  month name and street names with a house number;
- special categories of personal data (AVG art. 9: health, origin, religion, sexual life, politics, union)
  and criminal past (art. 10) from a lexicon in data/privacy_screen.yml, to a typed place-holder
  ("[gezondheid]") that the NLU was trained to read.

A 9-digit number that fails the elfproef and has no label (an order number) is not called a BSN.
Place-holders keep the type ("mijn bsn is [BSN]") so that the assistant still understands the question.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import spacy
import yaml
from spacy.matcher import Matcher
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

from governance.privacy.names import NameFinder
from knowledge.contract import PiiKind

SCREEN_FILE = Path(__file__).resolve().parents[2] / "data" / "privacy_screen.yml"


@dataclass(frozen=True)
class Kind:
    """One type of personal data: its place-holder and its Dutch names (data/privacy_screen.yml)."""

    id: str
    placeholder: str
    label: str
    phrase: str
    special: bool = False
    # how the notice names it in an English conversation (issue 16)
    phrase_en: str = ""


@functools.lru_cache(maxsize=4)
def load_screen_config(path: Path = SCREEN_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# every kind is a PiiKind (knowledge/contract.py): an unknown one in the configuration stops the load
KINDS = {PiiKind(kind_id).value: Kind(id=kind_id, **values) for kind_id, values in load_screen_config()["kinds"].items()}
PLACEHOLDERS = {kind.id: kind.placeholder for kind in KINDS.values()}
PII_TYPES = tuple(KINDS)
NAME = PiiKind.NAME.value

MAX_GROUPS = 12
MAX_DIGITS = 15
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
IBAN_LENGTHS = {
    "NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "LU": 20, "ES": 24, "IT": 27, "PT": 25, "AT": 20,
    "CH": 21, "IE": 22, "DK": 18, "SE": 24, "NO": 15, "FI": 18, "PL": 28, "CZ": 24, "GR": 27, "TR": 26,
}  # fmt: skip
MONTHS = [
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
    "november", "december", "jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec",
]  # fmt: skip
TUSSENVOEGSELS = frozenset({"van", "de", "der", "den", "het", "ten", "ter", "te", "la", "le", "du", "da", "el", "op", "in", "'t"})
NAME_STOP = frozenset(
    {"en", "ik", "wil", "woon", "ben", "heb", "is", "maar", "want", "dus", "uit", "graag", "hallo", "hoi", "niet",
     "wel", "kan", "mag", "moet", "zou", "bel", "mail", "mijn", "je", "u", "jij", "wij", "we", "met", "over", "voor",
     "verkeerd", "fout", "onjuist", "veranderd", "gewijzigd", "anders", "correct", "juist", "goed", "bekend", "nog",
     "al", "ook", "zo", "dat", "die", "deze", "dit", "hetzelfde", "geschreven", "gespeld", "nieuw", "oud"}
)  # fmt: skip
# Postcode letters that are ordinary words when written in lower case after a number ("in 2024 en").
POSTCODE_WORDS = frozenset(
    {"en", "is", "in", "op", "te", "de", "al", "na", "om", "of", "ik", "je", "we", "ze", "er", "nu", "zo", "uw",
     "tm", "ca", "am", "pm", "ok", "an", "la", "le", "da", "du", "eu", "km", "kg", "cm", "mm", "uur", "ct"}
)  # fmt: skip
STREET_ENDINGS = (
    "straat|laan|weg|plein|gracht|kade|singel|dijk|hof|park|pad|steeg|dreef|markt|baan|wal|veld|erf|hoek|haven|burg|plantsoen"
)
STREET = rf"(?i)^[a-z\u00c0-\u017f'\-]{{2,}}({STREET_ENDINGS})$"
HOUSE_NUMBER = r"^\d{1,5}[a-zA-Z]?$"
DOB_CONTEXT = re.compile(r"(?i)(geboren|geboortedatum|geb\.?|verjaardag|jarig)\W{0,3}(op|in|:)?\W{0,3}$")

EMAIL = re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)*\.[a-zA-Z]{2,}")
IBAN_START = re.compile(r"(?i)(?<![a-z0-9])([a-z]{2}) ?(\d{2})")
NUMBER_RUN = re.compile(r"(?:\+|\(\+?)?\d+(?:(?: ?[ .\-/] ?| ?\(0\) ?|\) ?)\d+)*")
POSTCODE = re.compile(
    r"(?<![\w\-])([1-9]\d{3})( ?)([A-Za-z]{2})(?![\w\-])(?:( ?,? ?)(\d{1,5}(?: ?[a-zA-Z](?![a-zA-Z]))?(?:-\d{1,4})?)(?!\d))?"
)
PLATE = re.compile(
    r"(?i)(?<![\w\-])(?:[a-z]{2}-\d{2}-\d{2}|\d{2}-\d{2}-[a-z]{2}|\d{2}-[a-z]{2}-\d{2}|[a-z]{2}-\d{2}-[a-z]{2}"
    r"|[a-z]{2}-[a-z]{2}-\d{2}|\d{2}-[a-z]{2}-[a-z]{2}|\d{2}-[a-z]{3}-\d|\d-[a-z]{3}-\d{2}|[a-z]{2}-\d{3}-[a-z]"
    r"|[a-z]-\d{3}-[a-z]{2}|[a-z]{3}-\d{2}-[a-z]|[a-z]-\d{2}-[a-z]{3}|\d-[a-z]{2}-\d{3}|\d{3}-[a-z]{2}-\d)(?![\w\-])"
)
# After the word "kenteken" any plate-like value counts, valid side code or not.
PLATE_AFTER_KENTEKEN = re.compile(
    r"(?i)kenteken\W{1,3}(?:is\W{1,3})?([a-z0-9]{6}|[a-z0-9]{1,3}-[a-z0-9]{1,3}-[a-z0-9]{1,3})(?![\w-])"
)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Redaction:
    text: str
    kinds: tuple[str, ...]  # distinct types, in order of first appearance
    count: int


def elfproef(digits: str) -> bool:
    """The BSN check (elfproef), by python-stdnum."""
    return len(digits) == 9 and digits.isdigit() and digits != "000000000" and stdnum_bsn.is_valid(digits)


def iban_valid(candidate: str) -> bool:
    """ISO 13616 length per country and the mod-97 check, by python-stdnum."""
    if not re.fullmatch(r"[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}", candidate):
        return False
    try:  # not the national BBAN checks: stdnum refuses some valid Belgian account numbers
        stdnum_iban.validate(candidate, check_country=False)
    except stdnum_iban.ValidationError:
        return False
    return True


def fold(text: str) -> str:
    """Same length as the input, so positions found here are positions in the original."""
    out = []
    for ch in text:
        if ch.isdecimal() and not ch.isascii():
            out.append(str(unicodedata.decimal(ch)))
            continue
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out).translate(DASHES)


class PiiScreen:
    def __init__(self, today: dt.date | None = None) -> None:
        self._today = today
        config = load_screen_config()
        self.labelled = _labelled_patterns(config["labelled_numbers"])
        self.labelled_min_digits = int(config.get("labelled_min_digits", 4))
        self.reference_shapes = [re.compile(shape) for shape in config.get("reference_shapes", [])]
        self.special = _special_pattern(config["special_categories"])
        self.negations = frozenset(word.lower() for word in config.get("special_negations", []))
        self.names = NameFinder(config.get("keep_as_written", []))
        self.nlp = spacy.blank("nl")
        self.matcher = Matcher(self.nlp.vocab)
        self.matcher.add(
            "NAME_INTRO",
            [
                [{"LOWER": "ik"}, {"LOWER": "heet"}],
                [{"LOWER": {"IN": ["mijn", "m'n", "mn"]}}, {"LOWER": "naam"}, {"LOWER": "is"}],
                [{"LOWER": {"IN": ["naam", "achternaam", "voornaam"]}}, {"ORTH": ":"}],
                [{"LOWER": "ik"}, {"LOWER": "ben"}, {"LOWER": {"IN": ["mevrouw", "meneer", "mevr", "dhr"]}}],
                [{"LOWER": "groet"}, {"ORTH": ",", "OP": "?"}],
                [{"LOWER": "groeten"}, {"ORTH": ",", "OP": "?"}],
            ],
        )
        self.matcher.add(
            "DATE_WORDS",
            [
                [
                    {"TEXT": {"REGEX": r"^\d{1,2}$"}},
                    {"LOWER": {"IN": MONTHS}},
                    {"ORTH": ".", "OP": "?"},
                    {"TEXT": {"REGEX": r"^\d{4}$"}},
                ]
            ],
        )
        self.matcher.add(
            "STREET",
            [[{"TEXT": {"REGEX": STREET}}, {"TEXT": {"REGEX": HOUSE_NUMBER}}, {"TEXT": {"REGEX": r"^[a-zA-Z]$"}, "OP": "?"}]],
        )

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def redact(self, text: str, *, keep_names: list[str] | tuple[str, ...] = ()) -> Redaction:
        """`keep_names`: words of a name that may stay (a staff member's own name in their reply)."""
        findings = self.find(text)
        if keep_names:
            own = {word.lower() for word in keep_names}
            findings = [
                f
                for f in findings
                if not (
                    f.kind == PiiKind.NAME.value
                    and all(word.lower().strip(",.") in own for word in text[f.start : f.end].split())
                )
            ]
        out, last = [], 0
        for finding in findings:
            out.append(text[last : finding.start])
            out.append(PLACEHOLDERS[finding.kind])
            last = finding.end
        out.append(text[last:])
        kinds = tuple(dict.fromkeys(f.kind for f in findings))
        return Redaction(text="".join(out), kinds=kinds, count=len(findings))

    def find(self, text: str) -> list[Finding]:
        norm = fold(text)
        found: list[Finding] = []
        scanners = (
            self._emails,
            self._ibans,
            self._labelled_numbers,
            self._plates,
            self._postcodes,
            self._numbers,
            self._special_categories,
            self._names,
            self._spacy,
        )
        for scanner in scanners:
            for finding in scanner(norm):
                if not any(finding.start < f.end and f.start < finding.end for f in found):
                    found.append(finding)
        return sorted(found, key=lambda f: f.start)

    # --- scanners -----------------------------------------------------------------------------------

    def _emails(self, text: str) -> list[Finding]:
        return [Finding(PiiKind.EMAIL.value, m.start(), m.end()) for m in EMAIL.finditer(text)]

    def _ibans(self, text: str) -> list[Finding]:
        found = []
        for start in IBAN_START.finditer(text):
            country = start.group(1).upper()
            lengths = [IBAN_LENGTHS[country]] if country in IBAN_LENGTHS else list(range(34, 14, -1))
            known = country in IBAN_LENGTHS
            for length in lengths:
                # A checksum-valid IBAN of its country's exact length counts even when a word is glued to it.
                end = _consume_alnum(text, start.start(), length, need_boundary=not known)
                if end is not None and iban_valid(re.sub(r"[\s\-]", "", text[start.start() : end])):
                    found.append(Finding(PiiKind.IBAN.value, start.start(), end))
                    break
        return found

    def _labelled_numbers(self, text: str) -> list[Finding]:
        """ "bsn 214.883.521", "mijn zaaknummer is Z-2025-004812": the label says what the number is."""
        found = [
            Finding(PiiKind.REFERENCE.value, m.start(), m.end()) for shape in self.reference_shapes for m in shape.finditer(text)
        ]
        for kind, label in self.labelled:
            for match in label.finditer(text):
                value = LABELLED_VALUE.match(text, match.end())
                if value is None:
                    continue
                digits = sum(ch.isdigit() for ch in value.group("value"))
                if digits >= self.labelled_min_digits:
                    found.append(Finding(kind, value.start("value"), value.end("value")))
        return found

    def _special_categories(self, text: str) -> list[Finding]:
        found = []
        for match in self.special.finditer(text):
            before = text[max(0, match.start() - 12) : match.start()].lower().split()
            if before and before[-1] in self.negations:
                continue  # "geen strafblad" tells nothing about anyone
            kind = next(name for name, value in match.groupdict().items() if value is not None)
            found.append(Finding(kind, match.start(), match.end()))
        return found

    def _names(self, text: str) -> list[Finding]:
        return [Finding(span.kind, span.start, span.end) for span in self.names.find(text)]

    def _plates(self, text: str) -> list[Finding]:
        found = [
            Finding(PiiKind.LICENCE_PLATE.value, m.start(), m.end())
            for m in PLATE.finditer(text)
            # the side codes with three letters never use vowels ("art-12-b" is not a plate)
            if not any(len(part) == 3 and part.isalpha() and re.search("[aeiou]", part, re.I) for part in m.group().split("-"))
        ]
        for m in PLATE_AFTER_KENTEKEN.finditer(text):
            value = m.group(1)
            if re.search(r"\d", value) and re.search(r"[a-zA-Z]", value):
                found.append(Finding(PiiKind.LICENCE_PLATE.value, m.start(1), m.end(1)))
        return found

    def _postcodes(self, text: str) -> list[Finding]:
        found = []
        for m in POSTCODE.finditer(text):
            letters, house, space = m.group(3), m.group(5), m.group(2)
            if letters.upper() in ("SA", "SD", "SS"):
                continue
            before = text[max(0, m.start() - 20) : m.start()].lower()
            if "postcode" in before or letters.isupper() or not space:
                plausible = True
            else:  # "1234 ab 5": a postcode only with a house number and letters that are not a word ("in 2024 en 2025")
                plausible = bool(house) and letters.lower() not in POSTCODE_WORDS
            if not plausible:
                continue
            found.append(Finding(PiiKind.ADDRESS.value, m.start(), m.end()))
        return found

    def _numbers(self, text: str) -> list[Finding]:
        found = []
        for run in NUMBER_RUN.finditer(text):
            groups = [(g.start() + run.start(), g.end() + run.start(), g.group()) for g in re.finditer(r"\d+", run.group())]
            index = 0
            while index < len(groups):
                # Longest first, but no personal number has more than 12 groups or 15 digits: this keeps a
                # message of a thousand numbers linear instead of cubic.
                last_possible, digits = index, 0
                while last_possible < len(groups) and last_possible - index < MAX_GROUPS:
                    digits += len(groups[last_possible][2])
                    if digits > MAX_DIGITS:
                        break
                    last_possible += 1
                for last in range(last_possible - 1, index - 1, -1):
                    kind = self._classify(text, groups[index : last + 1])
                    if kind:
                        start = groups[index][0]
                        if start > 0 and text[start - 1] == "+":
                            start -= 1
                        elif start > 1 and text[start - 2 : start] == "(+":
                            start -= 2
                        found.append(Finding(kind, start, groups[last][1]))
                        index = last + 1
                        break
                else:
                    index += 1
        return found

    def _classify(self, text: str, groups: list[tuple[int, int, str]]) -> str | None:
        digits = "".join(g[2] for g in groups)
        start = groups[0][0]
        plus = (start > 0 and text[start - 1] == "+") or (start > 1 and text[start - 2 : start] == "(+")
        separators = {text[a[1] : b[0]].strip() or " " for a, b in itertools.pairwise(groups)}
        date_like = len(groups) == 3 and len(separators) == 1 and separators <= {"-", "/", "."}
        if date_like and self._is_date_of_birth(text, groups):
            return PiiKind.DATE_OF_BIRTH.value
        glued = start > 0 and text[start - 1].isalpha()  # "ABNA0417164301" is part of a code, not a phone number
        if not glued and _is_phone(digits, plus):
            return PiiKind.PHONE.value
        if len(digits) == 9 and elfproef(digits) and not plus:
            return PiiKind.BSN.value
        return None

    def _is_date_of_birth(self, text: str, groups: list[tuple[int, int, str]]) -> bool:
        day, month, year = (g[2] for g in groups)
        if len(day) > 2 or len(month) > 2 or len(year) not in (2, 4):
            return False
        full_year = int(year) if len(year) == 4 else _expand_year(int(year), self.today())
        try:
            dt.date(full_year, int(month), int(day))
        except ValueError:
            return False
        return full_year <= self.today().year - 12 or bool(DOB_CONTEXT.search(text[max(0, groups[0][0] - 25) : groups[0][0]]))

    def _spacy(self, text: str) -> list[Finding]:
        doc = self.nlp.make_doc(text)
        found = []
        for match_id, start, end in self.matcher(doc):
            label = self.nlp.vocab.strings[match_id]
            if label == "STREET":
                span = doc[start:end]
                found.append(Finding(PiiKind.ADDRESS.value, span.start_char, span.end_char))
            elif label == "DATE_WORDS":
                year = int(doc[end - 1].text)
                context = text[max(0, doc[start].idx - 25) : doc[start].idx]
                if year <= self.today().year - 12 or DOB_CONTEXT.search(context):
                    found.append(Finding(PiiKind.DATE_OF_BIRTH.value, doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)))
            elif label == "NAME_INTRO":
                name = _name_after(doc, end)
                if name is not None:
                    found.append(Finding(PiiKind.NAME.value, name[0], name[1]))
        return found


@functools.lru_cache(maxsize=1)
def default_screen() -> PiiScreen:
    """Building the spaCy pipeline and loading deduce's lookup lists take a few seconds: once per process."""
    return PiiScreen()


# After a label: a few words ("is", "van mijn zoon is", ":") and then the value, which starts with a digit or
# with up to four letters glued to digits ("Z-2025-004812", "X12345678", "OLO-7733291", "NL12 RABO 0123 …").
LABELLED_VALUE = re.compile(
    r"(?i)(?:\s*[:#=]\s*|\s+)(?:(?:[a-z\u00c0-\u017f']{1,12})\s+){0,4}?[:#]?\s*"
    r"(?P<value>(?<![\w-])(?:[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,3})?"
    r"|(?:[a-z]{1,4}[-.]?)?\d(?:\d|[ .\-/](?=\d))*[a-z]?)(?![\w-]))"
)


def _labelled_patterns(labels: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for kind, words in labels.items():
        alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
        patterns.append((kind, re.compile(rf"(?i)(?<![\w-])(?:{alternatives})(?![\w-])")))
    return patterns


def _special_pattern(categories: dict[str, list[str]]) -> re.Pattern[str]:
    """One pattern with a named group per category; "*" is one more word, or the start of a compound."""
    word = r"[\w\u00c0-\u017f-]+"
    groups = []
    for kind, terms in categories.items():
        alternatives = []
        for term in sorted(terms, key=len, reverse=True):
            if term.startswith("*") and not term.startswith("* "):
                alternatives.append(r"[\w\u00c0-\u017f]*" + re.escape(term[1:]))
                continue
            parts = [word if part == "*" else re.escape(part) for part in term.split()]
            alternatives.append(r"\s+".join(parts))
        groups.append(f"(?P<{kind}>{'|'.join(alternatives)})")
    return re.compile(rf"(?i)(?<![\w-])(?:{'|'.join(groups)})(?![\w-])")


def _consume_alnum(text: str, start: int, count: int, *, need_boundary: bool) -> int | None:
    """The end of `count` letters/digits from start, allowing single spaces or dashes between them."""
    seen, position = 0, start
    while position < len(text) and seen < count:
        ch = text[position]
        if ch.isascii() and ch.isalnum():
            seen += 1
        elif ch not in " -" or text[position - 1] in " -":
            return None
        position += 1
    if seen != count:
        return None
    if need_boundary and position < len(text) and text[position].isascii() and text[position].isalnum():
        return None
    return position


def _is_phone(digits: str, plus: bool) -> bool:
    if plus or digits.startswith("00"):
        national = digits[2:] if plus else digits[4:]
        if (digits.startswith("31") and plus) or digits.startswith("0031"):
            national = national[1:] if national.startswith("0") else national
            return len(national) == 9
        return plus and 8 <= len(digits) <= 15
    return digits.startswith("0") and len(digits) == 10


def _expand_year(two_digits: int, today: dt.date) -> int:
    century = today.year - today.year % 100
    return century + two_digits if century + two_digits <= today.year else century - 100 + two_digits


def _name_after(doc, index: int) -> tuple[int, int] | None:
    """The name right after "ik heet": up to four words, tussenvoegsels allowed, stop at ordinary words."""
    tokens = []
    for token in doc[index : index + 5]:
        lower = token.lower_
        if not token.is_alpha and lower not in ("'t",) and "-" not in token.text:
            break
        if lower in NAME_STOP:
            break
        if tokens and not (token.is_title or token.is_upper or lower in TUSSENVOEGSELS or tokens[-1].lower_ in TUSSENVOEGSELS):
            break
        if not tokens and lower in TUSSENVOEGSELS:
            following = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if not (token.is_title and following is not None and following.is_title):  # "De Boer" is a name
                break
        tokens.append(token)
    while tokens and tokens[-1].lower_ in TUSSENVOEGSELS:
        tokens.pop()
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
