"""The explicit rule layer that catches crisis messages and requests for a person, whatever the model says.

A model trained here missed "mijn partner slaat me" in most runs; these patterns do not. The rules live in
data/safety_rules.yml so the governance team can read and review them; each match is recorded by id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.text import normalise

# Crisis first: a message that is both (e.g. "help, mijn man slaat me, ik wil iemand spreken") is a crisis.
CATEGORY_ORDER = ("crisis", "human")
CATEGORY_INTENT = {"crisis": "crisis", "human": "medewerker"}


@dataclass(frozen=True)
class SafetyMatch:
    category: str
    rule_id: str

    @property
    def intent(self) -> str:
        return CATEGORY_INTENT[self.category]

    def as_metadata(self) -> dict[str, str]:
        return {"category": self.category, "id": self.rule_id}


class SafetyRules:
    def __init__(self, rules: dict[str, list[tuple[str, re.Pattern[str]]]]) -> None:
        self._rules = rules

    @classmethod
    def from_file(cls, path: Path) -> SafetyRules:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = {
            category: [(item["id"], re.compile(item["pattern"], re.IGNORECASE)) for item in raw.get(category, [])]
            for category in CATEGORY_ORDER
        }
        return cls(rules)

    def match(self, text: str) -> SafetyMatch | None:
        plain = normalise(text)
        for category in CATEGORY_ORDER:
            for rule_id, pattern in self._rules[category]:
                if pattern.search(plain):
                    return SafetyMatch(category, rule_id)
        return None
