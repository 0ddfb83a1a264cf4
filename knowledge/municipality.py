"""The municipality's facts (data/municipality.yml) and the values citizen texts may refer to."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

WEEKDAYS_NL = {
    "monday": "maandag",
    "tuesday": "dinsdag",
    "wednesday": "woensdag",
    "thursday": "donderdag",
    "friday": "vrijdag",
    "saturday": "zaterdag",
    "sunday": "zondag",
}


@dataclass(frozen=True)
class Municipality:
    """Typed view of data/municipality.yml; `raw` keeps everything for exports that need more."""

    name: str
    phone: str
    email: str
    website: str
    address: str
    phone_hours: str
    desk_hours: str
    privacy_email: str
    raw: dict[str, Any] = field(repr=False)

    def template_values(self) -> dict[str, str]:
        """Values that knowledge texts may use as `{placeholder}`; example fees included."""
        values = {
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "website": self.website,
            "address": self.address,
            "phone_hours": self.phone_hours,
            "desk_hours": self.desk_hours,
            "privacy_email": self.privacy_email,
        }
        values.update({k: str(v) for k, v in (self.raw.get("example_values") or {}).items()})
        return values

    def absolute_url(self, url: str) -> str:
        """Knowledge files give municipal pages as paths; national sources as full URLs."""
        if url.startswith(("https://", "http://")):
            return url
        return self.website.rstrip("/") + "/" + url.lstrip("/")

    def contact_sentence(self) -> str:
        """How to reach a person, used wherever the bot cannot help (B1 Dutch)."""
        return f"Bel {self.name} op {self.phone}: {self.phone_hours}."


def load_municipality(path: Path) -> Municipality:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    address = raw["address"]
    hours = raw["opening_hours"]
    return Municipality(
        name=raw["name"],
        phone=str(raw["phone"]),
        email=raw["email"],
        website=raw["website"],
        address=f"{address['street']}, {address['postcode']} {address['city']}",
        phone_hours=hours["text"],
        desk_hours=hours["desk_text"],
        privacy_email=raw["privacy"]["email"],
        raw=raw,
    )
