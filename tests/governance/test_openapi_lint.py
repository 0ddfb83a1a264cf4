"""The published OpenAPI document passes the Dutch API Design Rules linter (Spectral) with 0 errors,
and the ruleset really catches violations (a linter that passes everything would prove nothing)."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def lint(document: dict, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    return subprocess.run([str(ROOT / "scripts" / "spectral.sh"), str(path)], capture_output=True, text=True, timeout=300)


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").json()


def test_generated_document_has_no_adr_errors(document, tmp_path):
    result = lint(document, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(0 errors" in result.stdout or "No results" in result.stdout


@pytest.mark.parametrize(
    ("break_it", "rule"),
    [
        (lambda d: d["paths"]["/conversations"]["post"]["responses"]["201"].pop("headers"), "adr-version-header"),
        (lambda d: d["info"]["contact"].pop("email"), "adr-doc-openapi-contact"),
        (lambda d: d.update(servers=[{"url": "https://example.org/api"}]), "adr-uri-version"),
        (lambda d: d["paths"].update({"/conversations/": d["paths"]["/conversations"]}), "adr-no-trailing-slash"),
        (lambda d: d["paths"].update({"/myConversations": d["paths"]["/conversations"]}), "adr-path-segments-kebab-case"),
        (
            lambda d: d["paths"]["/conversations"]["post"]["responses"]["422"].update(
                content={"application/json": {"schema": {"type": "object"}}}
            ),
            "adr-problem-details",
        ),
        (lambda d: d["paths"]["/conversations"]["post"]["responses"].pop("400"), "adr-invalid-input-write"),
        (lambda d: d["info"].update(version="1.0"), "adr-semver"),
    ],
)
def test_ruleset_catches_each_kind_of_violation(document, tmp_path, break_it, rule):
    broken = copy.deepcopy(document)
    break_it(broken)
    result = lint(broken, tmp_path)
    assert result.returncode != 0
    assert rule in result.stdout
