"""publiccode.yml carries what the Standard for Public Code requires, so developer.overheid.nl can list it."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_publiccode_has_the_required_fields():
    data = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    for key in (
        "publiccodeYmlVersion",
        "name",
        "url",
        "platforms",
        "developmentStatus",
        "softwareType",
        "description",
        "legal",
        "maintenance",
    ):
        assert data.get(key), key
    assert re.fullmatch(r"0\.[2-9](\.\d+)?", str(data["publiccodeYmlVersion"]))
    assert data["url"].startswith("https://")
    assert data["developmentStatus"] in {"concept", "development", "beta", "stable", "obsolete"}
    assert data["softwareType"] in {
        "standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend",
        "standalone/other", "addon", "library", "configurationFiles",
    }  # fmt: skip
    assert isinstance(data["platforms"], list) and data["platforms"]
    assert data["legal"]["license"] == "EUPL-1.2"
    assert data["maintenance"]["type"] in {"internal", "contract", "community", "none"}
    if data["maintenance"]["type"] in {"internal", "community"}:
        assert data["maintenance"]["contacts"] and all(c.get("name") for c in data["maintenance"]["contacts"])
    for language, description in data["description"].items():
        assert re.fullmatch(r"[a-z]{2,3}", language)
        assert 0 < len(description["shortDescription"]) <= 150, language
        assert len(description["longDescription"]) >= 150, language
        assert description["features"], language
    assert "nl" in data["description"]
