"""Dependency audit (pip-audit) for make test and CI.

The governance environment must have no known vulnerability: a finding fails the run. The bot environment
is pinned by Rasa 3.6 to old libraries (TensorFlow 2.12, …) that we cannot upgrade without leaving Rasa 3.6:
its findings are printed for the security officer, not failed on (the bot listens on loopback only).
Where the vulnerability service cannot be reached the audit is skipped, saying so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUDIT = ROOT / ".venv-gov" / "bin" / "pip-audit"


def audit(args: list[str]) -> dict | None:
    result = subprocess.run(
        [str(AUDIT), "--format", "json", "--progress-spinner", "off", *args], capture_output=True, text=True, timeout=600
    )
    try:
        return json.loads(result.stdout)
    except ValueError:
        print(f"  audit could not run: {(result.stderr.strip().splitlines() or ['no output'])[-1][:200]}")
        return None


def findings(report: dict) -> tuple[list[str], int, int]:
    found, skipped, audited = [], 0, 0
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped += 1
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            found.append(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    return found, skipped, audited


def main() -> int:
    failed = False
    for label, args, strict in (
        ("governance environment", ["--path", str(next((ROOT / ".venv-gov" / "lib").glob("python3*/site-packages")))], True),
        ("bot environment (Rasa 3.6 pins)", ["--no-deps", "--disable-pip", "-r", str(ROOT / "requirements" / "bot.lock")], False),
    ):
        print(f"pip-audit: {label}")
        report = audit(args)
        if report is None:
            print("  skipped: the vulnerability service is not reachable from here")
            continue
        found, skipped, audited = findings(report)
        if audited == 0:
            print(f"  skipped: none of the {skipped} packages could be looked up in the vulnerability data from here")
            continue
        print(f"  {audited} packages audited, {skipped} not found in the index (not audited), {len(found)} known vulnerabilities")
        for line in found:
            print(f"  - {line}")
        failed |= strict and bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
