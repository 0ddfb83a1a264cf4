"""Evaluate the trained NLU model on the held-out set: accuracy per topic, confusion pairs, overall.

Run in the bot env: `make eval-nlu`. Writes a JSON report (for the test that requires >= 0.90 and for the
Algoritmeregister export) and prints a readable table. Predictions below the fallback threshold count as
wrong for their topic, and are listed as "nlu_fallback": an honest figure, not a flattering one.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import os
import sys
from pathlib import Path

import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
logging.disable(logging.WARNING)


def load_examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append((block["intent"], line[2:].strip()))
    return examples


async def predict(model: Path, texts: list[str]) -> list[tuple[str, float, str]]:
    """(predicted intent, confidence of the best real intent, best real intent) per text."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
        top = ranking[0] if ranking else {"name": "", "confidence": 0.0}
        results.append((parsed["intent"]["name"], float(top["confidence"] or 0.0), top["name"]))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=Path("tests/nlu/heldout.yml"))
    parser.add_argument("--report", type=Path, default=Path("var/reports/nlu_eval.json"))
    args = parser.parse_args()

    examples = load_examples(args.data)
    predictions = asyncio.run(predict(args.model, [t for _, t in examples]))

    per_topic: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    confusions: collections.Counter[tuple[str, str]] = collections.Counter()
    errors = []
    for (gold, text), (predicted, confidence, top_without_fallback) in zip(examples, predictions, strict=False):
        per_topic[gold][1] += 1
        if predicted == gold:
            per_topic[gold][0] += 1
        else:
            confusions[(gold, predicted)] += 1
            errors.append(
                {
                    "text": text,
                    "expected": gold,
                    "predicted": predicted,
                    "confidence": round(confidence, 3),
                    "best_topic": top_without_fallback,
                }
            )
    # The contract's topic of a clarifying question (nlu_fallback) is out_of_scope ("not understood").
    topic_correct = sum(
        1
        for (gold, _), (predicted, _, _) in zip(examples, predictions, strict=False)
        if (predicted if predicted != "nlu_fallback" else "out_of_scope") == gold
    )
    fallbacks = sum(1 for p, _, _ in predictions if p == "nlu_fallback")
    correct = sum(c for c, _ in per_topic.values())
    total = sum(n for _, n in per_topic.values())
    overall = correct / total if total else 0.0

    print(f"{'topic':<26} {'correct':>7} {'total':>5} {'accuracy':>8}")
    for topic in sorted(per_topic):
        c, n = per_topic[topic]
        print(f"{topic:<26} {c:>7} {n:>5} {c / n:>8.2f}")
    print("\nconfusion pairs (expected -> predicted: count)")
    for (gold, predicted), count in confusions.most_common():
        print(f"  {gold} -> {predicted}: {count}")
    print("\nerrors")
    for e in errors:
        print(f"  [{e['expected']} -> {e['predicted']} {e['confidence']:.2f}, best {e['best_topic']}] {e['text']}")
    print(f"\nclarifying questions (nlu_fallback): {fallbacks}/{total}")
    print(f"topic accuracy (contract topic; a clarifying question counts as out_of_scope): {topic_correct / total:.4f}")
    print(f"overall accuracy: {overall:.4f} ({correct}/{total})")

    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(
        json.dumps(
            {
                "model": args.model.name,
                "data": str(args.data),
                "overall_accuracy": overall,
                "correct": correct,
                "total": total,
                "topic_accuracy": topic_correct / total if total else 0.0,
                "clarifications": fallbacks,
                "per_topic": {t: {"correct": c, "total": n} for t, (c, n) in per_topic.items()},
                "confusions": [{"expected": g, "predicted": p, "count": k} for (g, p), k in confusions.most_common()],
                "errors": errors,
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
