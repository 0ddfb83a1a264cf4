"""The screen on everyday messages (tests/privacy/pii_stack_set.yml, written before the screen was changed):
names and addresses by deduce, labelled numbers whatever their checksum, special categories to a typed
place-holder. The same set goes through the running stack in tests/e2e/test_pii_stack.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from governance.privacy.pii import KINDS, PiiScreen, default_screen

SET = yaml.safe_load((Path(__file__).parent / "pii_stack_set.yml").read_text(encoding="utf-8"))["messages"]


@pytest.fixture(scope="module")
def screen() -> PiiScreen:
    return default_screen()


def test_the_set_covers_every_kind_with_enough_messages():
    assert len(SET) >= 60
    kinds = {item["kind"] for item in SET}
    assert {"name", "address", "bsn", "iban", "reference", "health", "ethnicity", "religion", "sexual_life", "criminal"} <= kinds


@pytest.mark.parametrize("item", SET, ids=[item["text"][:40] for item in SET])
def test_no_raw_value_is_left_and_the_kind_is_named(screen, item):
    redaction = screen.redact(item["text"])
    for value in item["values"]:
        assert value.lower() not in redaction.text.lower(), redaction.text
    assert item["kind"] in redaction.kinds
    assert KINDS[item["kind"]].placeholder in redaction.text


def test_special_categories_become_a_typed_placeholder_the_model_can_read(screen):
    assert screen.redact("mijn zoon heeft autisme en adhd").text == "mijn zoon heeft [gezondheid] en [gezondheid]"
    assert screen.redact("ik ben moslim").kinds == ("religion",)


def test_no_special_category_where_there_is_nothing_to_tell(screen):
    for text in (
        "ik heb geen strafblad nodig toch",  # a negation tells nothing about anyone
        "voor mijn nieuwe baan moet ik laten zien dat ik geen strafblad heb",
        "als ik ziek ben kan ik dan mijn afspraak verzetten",
        "mijn moeder zit in een rolstoel en wil een parkeerkaart",
        "wij trouwen in juni",
    ):
        assert screen.redact(text).text == text


def test_municipal_words_streets_without_a_number_and_places_are_kept(screen):
    for text in (
        "er ligt afval op de Prins Hendrikstraat",
        "de lantaarnpaal in de Kerkstraat is kapot",
        "is het gemeentehuis van Voorbeeldstad open op zaterdag",
        "ik verhuis van Amsterdam naar Utrecht",
        "Ik heb een Duits rijbewijs, kan ik dat ruilen?",
    ):
        assert screen.redact(text).text == text


def test_a_labelled_number_goes_whatever_its_checksum_an_unlabelled_order_number_stays(screen):
    assert screen.redact("bsn 214.883.521").text == "bsn [BSN]"  # fails the elfproef: still somebody's BSN
    assert screen.redact("iban NL91ABNA0417164301").text == "iban [IBAN]"  # checksum typo
    assert screen.redact("mijn bestelling 214883521 is niet gekomen").kinds == ()
    assert screen.redact("zaak 12 is nog open").kinds == ()  # too few digits to be a case number


def test_a_courtesy_title_stays_beside_the_removed_name(screen):
    assert screen.redact("ik ben mevrouw Yilmaz").text == "ik ben mevrouw [NAAM]"
