"""Every setting a municipality can change is documented in docs/configuration.md, so an
operator never has to read code to run the service."""

from __future__ import annotations

from governance.config import PROJECT_ROOT, Settings


def test_every_setting_is_in_the_configuration_docs():
    readme = (PROJECT_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = []
    for name in Settings.model_fields:
        variable = "GOV_" + name.upper()
        grouped = "_" + name.upper().split("_", 1)[1] + "`" if "_" in name else None  # e.g. `_AUDIT_DAYS`
        if variable not in readme and not (grouped and grouped in readme and "GOV_" + name.upper().split("_", 1)[0] in readme):
            missing.append(variable)
    assert missing == []
