"""Our JSON Schema of publication standard 1.0 refuses what the register refuses: a test per rule, so an
export that passes here is one the aanlever-API accepts unchanged."""

from __future__ import annotations

import pytest

from register.validation import violations

VALID = {
    "name": "Digitale assistent",
    "description_short": "Beantwoordt vragen.",
    "organization": "Gemeente Voorbeeldstad",
    "status": "In gebruik",
    "contact_email": "algoritmes@voorbeeldstad.example",
    "publication_category": "Impactvolle algoritmes",
    "lang": "nld",
    "goal": "<p>Doel</p><ul><li>een</li></ul>",
    "begin_date": "2026-12",
    "lawful_basis_grouping": [{"title": "AVG", "link": "https://eur-lex.europa.eu/eli/reg/2016/679/oj"}],
}


def test_a_complete_entry_passes():
    assert violations(VALID) == []


@pytest.mark.parametrize(
    "field", ["name", "description_short", "organization", "status", "contact_email", "publication_category", "lang"]
)
def test_every_required_field_is_required(field):
    entry = {k: v for k, v in VALID.items() if k != field}
    assert any(field in problem for problem in violations(entry))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 101),
        ("description_short", "x" * 401),
        ("organization", "x" * 101),
        ("contact_email", "x" * 501),
        ("goal", "<p>" + "x" * 2501 + "</p>"),
        ("methods_and_models", "x" * 5001),
        ("website", "https://" + "x" * 500),
        ("provider", "x" * 201),
    ],
)
def test_lengths_are_kept(field, value):
    assert violations({**VALID, field: value})


def test_long_texts_are_measured_without_their_tags():
    text = "<p>" + "x" * 2490 + "</p>" + "<br>" * 50
    assert violations({**VALID, "goal": text}) == []


@pytest.mark.parametrize(
    "value",
    ["<p>a</p><script>alert(1)</script>", '<p onclick="x()">a</p>', "<a href='https://x.nl'>link</a>", "a < b"],
)
def test_only_the_allowed_tags_without_attributes(value):
    assert violations({**VALID, "goal": value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "Live"),
        ("publication_category", "Hoog risico"),
        ("lang", "eng"),
        ("category", ["Onbekend thema"]),
        ("begin_date", "2026-13"),
        ("begin_date", "12-2026"),
        ("lars", "1234"),
        ("standard_version", "2.0"),
        ("name", "<b>Naam</b>"),
        ("website", "http://niet-veilig.example"),
        ("lawful_basis_grouping", [{"title": "AVG"}]),
        ("unknown_field", "x"),
    ],
)
def test_values_outside_the_standard_are_refused(field, value):
    assert violations({**VALID, field: value})
