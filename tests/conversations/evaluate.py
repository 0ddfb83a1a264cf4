"""Scoring conversations through the contract's API: follow-up topic accuracy, sub-answer accuracy and the
share of follow-ups answered from a wrong topic (issue 14). Used by the end-to-end test and by
`make eval-conversations`; it talks HTTP only, so it measures what a citizen gets (rule layer, model, actions).
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

HERE = Path(__file__).resolve().parent
MULTI_TURN = HERE / "multi_turn.yml"
# Topics an answer can come from; anything else (a clarifying question, out of scope) is a miss, not a wrong topic.
NOT_AN_ANSWER = {"out_of_scope"}


@dataclass
class TurnResult:
    conversation: str
    kind: str
    text: str
    expected_topics: list[str]
    expected_answers: list[str | None]
    got_topics: list[str]
    got_answers: list[str | None]
    escalated: bool
    reason: str | None
    latency_ms: float

    @property
    def topic_ok(self) -> bool:
        if self.kind == "safety":
            return self.escalated and self.reason == "crisis"
        return self.got_topics[: len(self.expected_topics)] == self.expected_topics

    @property
    def answer_ok(self) -> bool:
        return self.topic_ok and (
            self.kind == "safety" or self.got_answers[: len(self.expected_answers)] == self.expected_answers
        )

    @property
    def wrong_topic(self) -> bool:
        """Answered (not asked back) from a topic the citizen did not mean."""
        return self.kind != "safety" and any(t not in NOT_AN_ANSWER and t not in self.expected_topics for t in self.got_topics)


@dataclass
class Report:
    turns: list[TurnResult] = field(default_factory=list)

    def follow_ups(self) -> list[TurnResult]:
        return [t for t in self.turns if t.kind != "first"]

    @staticmethod
    def share(items: list[TurnResult], attribute: str) -> float:
        return sum(getattr(t, attribute) for t in items) / len(items) if items else 0.0

    def figures(self) -> dict[str, Any]:
        follow = self.follow_ups()
        by_kind = collections.defaultdict(list)
        for t in follow:
            by_kind[t.kind].append(t)
        return {
            "conversations": len({t.conversation for t in self.turns}),
            "turns": len(self.turns),
            "follow_up_turns": len(follow),
            "follow_up_topic_accuracy": round(self.share(follow, "topic_ok"), 4),
            "follow_up_answer_accuracy": round(self.share(follow, "answer_ok"), 4),
            "follow_up_wrong_topic_share": round(self.share(follow, "wrong_topic"), 4),
            "first_turn_topic_accuracy": round(self.share([t for t in self.turns if t.kind == "first"], "topic_ok"), 4),
            "by_kind": {
                kind: {
                    "turns": len(items),
                    "topic": round(self.share(items, "topic_ok"), 4),
                    "answer": round(self.share(items, "answer_ok"), 4),
                }
                for kind, items in sorted(by_kind.items())
            },
            "median_turn_ms": round(sorted(t.latency_ms for t in self.turns)[len(self.turns) // 2], 1) if self.turns else None,
        }

    def failures(self) -> list[TurnResult]:
        return [t for t in self.turns if not t.answer_ok]


def load_conversations(path: Path = MULTI_TURN) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]


def _expected(turn: dict[str, Any]) -> tuple[list[str], list[str | None]]:
    if "answers" in turn:
        answers = list(turn["answers"])
        return [a.split("/")[0] for a in answers], answers
    answer = None if turn.get("missing") else turn.get("answer")
    return [turn["topic"]], ([answer] if "answer" in turn or turn.get("missing") else [])


def run_conversation(client: httpx.Client, conversation: dict[str, Any]) -> list[TurnResult]:
    created = client.post("/api/v1/conversations", json={})
    created.raise_for_status()
    body = created.json()
    url = f"/api/v1/conversations/{body['conversation_id']}/messages"
    headers = {"Authorization": f"Bearer {body['token']}"}
    results = []
    for turn in conversation["turns"]:
        started = time.perf_counter()
        reply = client.post(url, json={"text": turn["text"]}, headers=headers)
        latency = (time.perf_counter() - started) * 1000
        reply.raise_for_status()
        explained = [m["explanation"] for m in reply.json()["messages"] if m.get("explanation")]
        expected_topics, expected_answers = _expected(turn)
        results.append(
            TurnResult(
                conversation=conversation["id"],
                kind=turn["kind"],
                text=turn["text"],
                expected_topics=expected_topics,
                expected_answers=expected_answers,
                got_topics=[x["topic"] for x in explained],
                got_answers=[x.get("answer_id") for x in explained],
                escalated=any(x.get("escalate") for x in explained),
                reason=next((x.get("escalation_reason") for x in explained if x.get("escalate")), None),
                latency_ms=latency,
            )
        )
    return results


def run_set(client: httpx.Client, path: Path = MULTI_TURN) -> Report:
    report = Report()
    for conversation in load_conversations(path):
        report.turns.extend(run_conversation(client, conversation))
    return report


def format_report(report: Report) -> str:
    f = report.figures()
    lines = [
        f"conversations {f['conversations']}, turns {f['turns']}, follow-up turns {f['follow_up_turns']}",
        f"follow-up topic accuracy     {f['follow_up_topic_accuracy']:.1%}  (target >= 90%)",
        f"follow-up sub-answer accuracy {f['follow_up_answer_accuracy']:.1%}  (target >= 85%)",
        f"follow-ups from a wrong topic {f['follow_up_wrong_topic_share']:.1%}  (target <= 2%)",
        f"first turns, topic            {f['first_turn_topic_accuracy']:.1%}",
        "per kind: "
        + ", ".join(f"{k} {v['turns']}: topic {v['topic']:.0%} answer {v['answer']:.0%}" for k, v in f["by_kind"].items()),
        f"median turn {f['median_turn_ms']} ms",
    ]
    failures = report.failures()
    if failures:
        lines.append(f"{len(failures)} turn(s) not as expected:")
        for t in failures:
            lines.append(
                f"  [{t.conversation} · {t.kind}] {t.text!r}: expected {t.expected_answers or t.expected_topics}, "
                f"got {list(zip(t.got_topics, t.got_answers, strict=True))}"
            )
    return "\n".join(lines)
