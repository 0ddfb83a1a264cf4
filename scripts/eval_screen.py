"""The PII screen on messages that hold no personal data: our held-out topic sets (issue 15).

Every change the screen makes to one of these messages is a false redaction: it may cost the answer. Prints
the count per set, each changed message, and the screen's latency per message. `make eval-screen`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from governance.privacy.pii import PiiScreen  # noqa: E402

SETS = {
    "held-out": ROOT / "tests" / "nlu" / "heldout.yml",
    "held-out blind": ROOT / "tests" / "nlu" / "heldout_blind.yml",
    "long phrasings": ROOT / "tests" / "nlu" / "long_phrasings.yml",
}
CONVERSATIONS = ROOT / "tests" / "conversations" / "multi_turn.yml"


def nlu_examples(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [line.strip()[2:] for block in data["nlu"] for line in block["examples"].splitlines() if line.strip().startswith("- ")]


def conversation_turns(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [turn["text"] for conversation in data["conversations"] for turn in conversation["turns"] if "text" in turn]


def main() -> int:
    started = time.perf_counter()
    screen = PiiScreen()
    print(f"screen built in {time.perf_counter() - started:.1f} s")
    sets = {name: nlu_examples(path) for name, path in SETS.items()}
    sets["multi-turn"] = conversation_turns(CONVERSATIONS)
    timings = []
    total_changed = total = 0
    for name, texts in sets.items():
        changed = []
        for text in texts:
            before = time.perf_counter()
            redaction = screen.redact(text)
            timings.append(time.perf_counter() - before)
            if redaction.text != text:
                changed.append(f"    {text!r} -> {redaction.text!r}")
        total += len(texts)
        total_changed += len(changed)
        print(f"{name}: {len(changed)} of {len(texts)} messages changed (false redactions)")
        print("\n".join(changed))
    timings.sort()
    print(
        f"all sets: {total_changed} of {total} changed; latency per message median "
        f"{statistics.median(timings) * 1000:.2f} ms, p95 {timings[int(len(timings) * 0.95)] * 1000:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
