"""The contract's words are typed once (knowledge/contract.py); every place that shows or checks them agrees."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from knowledge import load_knowledge_base, load_municipality
from knowledge.contract import ESCALATION_REASON_LABELS, EscalationReason

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "CONTRACT.md"
STAFF_JS = ROOT / "governance" / "static" / "staff.js"


def test_the_escalation_reasons_are_the_contracts():
    text = CONTRACT.read_text(encoding="utf-8") if CONTRACT.exists() else ""
    if not text:
        # The shared folder lives beside the project on the development machines; on a lone clone the
        # enum is compared with the list copied from the contract (section 2) instead.
        listed = ["citizen_request", "crisis", "repeated_fallback", "sensitive_topic", "low_confidence"]
        listed += ["kill_switch", "bot_unavailable"]
    else:
        sentence = text[text.index("`escalation_reason` one of") :].split(".")[0]
        listed = re.findall(r"`([a-z_]+)`", sentence)[1:]
    assert sorted(listed) == sorted(reason.value for reason in EscalationReason)


def test_every_reason_has_a_dutch_label_and_the_staff_console_shows_the_same_words():
    assert set(ESCALATION_REASON_LABELS) == set(EscalationReason)
    block = re.search(r"const REASONS = \{(.*?)\};", STAFF_JS.read_text(encoding="utf-8"), re.DOTALL)
    assert block, "staff.js no longer has its REASONS table"
    shown = dict(re.findall(r'([a-z_]+): "([^"]+)"', block.group(1)))
    assert shown == {reason.value: reason.label_nl for reason in EscalationReason}


def test_the_knowledge_base_names_its_escalation_reasons_by_the_enum():
    knowledge = load_knowledge_base(ROOT / "data" / "knowledge", load_municipality(ROOT / "data" / "municipality.yml"))
    assert knowledge.topic("crisis").escalation_reason is EscalationReason.CRISIS
    assert knowledge.topic("medewerker").escalation_reason is EscalationReason.CITIZEN_REQUEST


def test_an_unknown_escalation_reason_in_a_knowledge_file_stops_the_load(tmp_path):
    """A misspelt reason would reach the staff console unlabelled and the metrics under a new name."""
    directory = tmp_path / "knowledge"
    shutil.copytree(ROOT / "data" / "knowledge", directory)
    shutil.copy(ROOT / "data" / "dialogue.yml", tmp_path / "dialogue.yml")
    crisis = directory / "crisis.yml"
    text = crisis.read_text(encoding="utf-8")
    assert "escalation_reason: crisis" in text
    crisis.write_text(text.replace("escalation_reason: crisis", "escalation_reason: crises"), encoding="utf-8")
    with pytest.raises(ValueError, match="crises"):
        load_knowledge_base(directory, load_municipality(ROOT / "data" / "municipality.yml"))


def test_the_privacy_screen_configures_exactly_the_contracts_kinds_of_personal_data():
    """Each PiiKind has its placeholder, Dutch label and phrases in data/privacy_screen.yml, and nothing else is."""
    import yaml

    from knowledge.contract import PiiKind

    kinds = yaml.safe_load((ROOT / "data" / "privacy_screen.yml").read_text(encoding="utf-8"))["kinds"]
    assert set(kinds) == {kind.value for kind in PiiKind}
    for kind in PiiKind:
        assert kinds[kind.value]["label"] and kinds[kind.value]["phrase"] and kinds[kind.value]["placeholder"], kind
