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
# A question whether a person answers ("praat ik met een mens?") is answered honestly, not escalated.
CATEGORY_ORDER = ("crisis", "bot_question", "human")
CATEGORY_INTENT = {"crisis": "crisis", "bot_question": "bot_vraag", "human": "medewerker"}


@dataclass(frozen=True)
class SafetyMatch:
    category: str
    rule_id: str

    @property
    def intent(self) -> str:
        return CATEGORY_INTENT[self.category]

    def as_metadata(self) -> dict[str, str]:
        return {"category": self.category, "id": self.rule_id}


Rules = list[tuple[str, re.Pattern[str]]]


def _compile(items: list[dict[str, str]]) -> Rules:
    return [(item["id"], re.compile(item["pattern"], re.IGNORECASE)) for item in items]


class SafetyRules:
    def __init__(self, rules: dict[str, Rules]) -> None:
        self._rules = rules

    @classmethod
    def from_file(cls, path: Path) -> SafetyRules:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        unknown = set(raw) - set(CATEGORY_ORDER)
        if unknown:
            raise ValueError(f"unknown rule categories in {path.name}: {sorted(unknown)}")
        return cls({category: _compile(raw.get(category, [])) for category in CATEGORY_ORDER})

    def match(self, text: str) -> SafetyMatch | None:
        plain = normalise(text)
        for category in CATEGORY_ORDER:
            for rule_id, pattern in self._rules[category]:
                if pattern.search(plain):
                    return SafetyMatch(category, rule_id)
        return None
