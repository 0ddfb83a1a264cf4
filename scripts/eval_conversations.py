"""Conversations through the running stack: the multi-turn set and the long-phrasing set (issue 14).

`make eval-conversations` starts the stack on spare loopback ports in a temporary folder (or uses
--base-url), sends every conversation through the citizen API, prints the figures and writes
var/reports/conversations_eval.json. Start-up time to ready is printed as well.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conversations.evaluate import format_report, run_set  # noqa: E402
from tests.nlu import english_sets, long_phrasing_sets  # noqa: E402

PORTS = {"GATEWAY_PORT": "18100", "RASA_PORT": "15105", "ACTIONS_PORT": "15155"}
# The long, indirect Dutch sets and the English sets, oldest first (tests/nlu/__init__.py finds them by name). Each
# set's header says when it was written and whether it has been tuned on: long_phrasings and heldout_en were tuned
# on, heldout_en_blind shaped the second English batch, the others never (the misses of all but heldout_en_blind5
# were printed by an earlier version of this script, those of heldout_en_blind5 read once).
LONG_SETS = {path.stem: path for path in long_phrasing_sets()}
# English sets (issue 16): each question in a conversation started in English (the widget's language choice).
ENGLISH_SETS = {path.stem: path for path in english_sets()}


@contextlib.contextmanager
def running_stack() -> Iterator[tuple[str, float]]:
    with tempfile.TemporaryDirectory(prefix="ga-eval-") as var:
        env = {
            **os.environ,
            **PORTS,
            "GA_VAR_DIR": var,
            "DATABASE_URL": f"sqlite:///{var}/governance.db",
            "GOV_CHAT_STAFFED": "always",
            "GOV_RATE_LIMIT_IP_PER_MINUTE": "0",
            "GOV_RATE_LIMIT_STARTS_PER_MINUTE": "0",
        }
        started = time.monotonic()
        result = subprocess.run(
            [str(ROOT / "scripts" / "stack.sh"), "--background"], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise SystemExit(f"the stack did not start:\n{result.stderr[-3000:]}")
        ready = time.monotonic() - started
        pids = [int(p) for p in (Path(var) / "stack.pids").read_text().split()]
        try:
            yield f"http://127.0.0.1:{PORTS['GATEWAY_PORT']}", ready
        finally:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)


# Topics that always bring in a person: an English crisis or request for a person must escalate.
ESCALATING = {"crisis", "medewerker"}


def long_phrasings(client: httpx.Client, path: Path, locale: str = "nl") -> dict[str, object]:
    """Each question as the first message of a new conversation; the contract topic must match."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    total = correct = 0
    wrong = []
    missed_escalations = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            if not line.strip().startswith("- "):
                continue
            text = line.strip()[2:]
            created = client.post("/api/v1/conversations", json={"locale": locale}).json()
            reply = client.post(
                f"/api/v1/conversations/{created['conversation_id']}/messages",
                json={"text": text},
                headers={"Authorization": f"Bearer {created['token']}"},
            ).json()
            explained = [m["explanation"] for m in reply["messages"] if m.get("explanation")]
            topics = [x["topic"] for x in explained]
            total += 1
            if block["intent"] in topics[:1]:
                correct += 1
            else:
                wrong.append((block["intent"], topics[:1], text))
            if block["intent"] in ESCALATING and not any(x["escalate"] for x in explained):
                missed_escalations.append(text)
    return {
        "total": total,
        "accuracy": round(correct / total, 4) if total else 0.0,
        "wrong": wrong,
        "missed_escalations": missed_escalations,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", help="a stack that is already running (default: start one)")
    parser.add_argument("--report", default=str(ROOT / "var" / "reports" / "conversations_eval.json"))
    # A blind set stays blind only while nobody reads its misses: they are in the report, printed only on request.
    # A crisis or request for a person that was not escalated is always printed (safety before blindness).
    parser.add_argument("--show-misses", action="store_true", help="also print each wrongly answered question")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.base_url:
            base, ready = args.base_url, None
        else:
            base, ready = stack.enter_context(running_stack())
        with httpx.Client(base_url=base, timeout=60) as client:
            report = run_set(client)
            long = {name: long_phrasings(client, path) for name, path in LONG_SETS.items()}
            long |= {name: long_phrasings(client, path, locale="en") for name, path in ENGLISH_SETS.items()}
    if ready is not None:
        print(f"start-up to ready: {ready:.1f} s")
    print(format_report(report))
    for name, figures in long.items():
        target = "95%" if name.startswith("heldout_en") else "93%"
        print(f"{name} through the API: {figures['accuracy']:.1%} of {figures['total']} (target >= {target})")
        if figures["missed_escalations"]:
            print(f"  crisis or request for a person NOT escalated: {figures['missed_escalations']}")
        for gold, got, text in figures["wrong"] if args.show_misses else []:
            print(f"  expected {gold}, got {got}: {text!r}")
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(
        json.dumps({"multi_turn": report.figures(), **long, "ready_seconds": ready}, ensure_ascii=False, indent=2)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
