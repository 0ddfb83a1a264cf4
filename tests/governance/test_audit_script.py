"""The dependency audit fails make test on a known vulnerability in the governance environment and says
plainly when nothing could be looked up (no vulnerability data reachable), instead of passing silently."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("audit_script", ROOT / "scripts" / "audit.py")
audit_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_script)


def test_findings_are_listed_with_their_fix():
    report = {
        "dependencies": [
            {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}]},
            {"name": "fastapi", "version": "0.115.6", "vulns": []},
            {"name": "tzdata", "version": "2024.1", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    found, skipped, audited = audit_script.findings(report)
    assert found == ["jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"]
    assert (skipped, audited) == (1, 2)


def test_strict_environment_fails_on_a_finding(monkeypatch, capsys):
    reports = iter(
        [
            {"dependencies": [{"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "X", "fix_versions": []}]}]},
            {"dependencies": [{"name": "tensorflow", "version": "2.12.0", "vulns": [{"id": "Y", "fix_versions": ["2.13"]}]}]},
        ]
    )
    monkeypatch.setattr(audit_script, "audit", lambda args: next(reports))
    assert audit_script.main() == 1
    assert "tensorflow 2.12.0: Y" in capsys.readouterr().out  # the bot's findings are reported too


def test_bot_findings_alone_do_not_fail(monkeypatch):
    reports = iter(
        [
            {"dependencies": [{"name": "fastapi", "version": "0.115.6", "vulns": []}]},
            {"dependencies": [{"name": "tensorflow", "version": "2.12.0", "vulns": [{"id": "Y", "fix_versions": []}]}]},
        ]
    )
    monkeypatch.setattr(audit_script, "audit", lambda args: next(reports))
    assert audit_script.main() == 0
