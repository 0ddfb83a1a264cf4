"""The municipality's facts (data/municipality.yml) and the values citizen texts may refer to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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


WEEKDAY_KEYS = list(WEEKDAYS_NL)


@dataclass(frozen=True)
class OfficeHours:
    """When the contact centre is staffed: a weekly schedule in local time, minus public holidays.

    Decides whether a citizen who wants a person is put in the live queue or offered a call-back.
    """

    timezone: ZoneInfo
    weekly: dict[int, tuple[dt.time, dt.time]]  # ISO weekday index 0 = monday
    holidays: frozenset[dt.date]

    @classmethod
    def from_config(cls, hours: dict[str, Any], key: str) -> OfficeHours:
        schedule = hours.get(key) or hours["phone"]
        weekly = {}
        for index, day in enumerate(WEEKDAY_KEYS):
            if day in schedule:
                start, end = (dt.time.fromisoformat(str(t)) for t in schedule[day])
                weekly[index] = (start, end)
        return cls(
            timezone=ZoneInfo(hours.get("timezone", "Europe/Amsterdam")),
            weekly=weekly,
            holidays=frozenset(dt.date.fromisoformat(str(d)) for d in hours.get("holidays") or []),
        )

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.timezone)
        if local.date() in self.holidays or local.weekday() not in self.weekly:
            return False
        start, end = self.weekly[local.weekday()]
        return start <= local.time() < end

    def next_opening(self, moment: dt.datetime) -> dt.datetime | None:
        """The next moment the contact centre opens (None if the schedule is empty for two weeks)."""
        local = moment.astimezone(self.timezone)
        for offset in range(0, 15):
            day = local.date() + dt.timedelta(days=offset)
            if day in self.holidays or day.weekday() not in self.weekly:
                continue
            start, _ = self.weekly[day.weekday()]
            opening = dt.datetime.combine(day, start, tzinfo=self.timezone)
            if opening > local:
                return opening
        return None


WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# How a moment is said, per language: (today, tomorrow, another day); {clock} "8.30", {day} "maandag 7-12".
MOMENT_WORDS = {
    "nl": ("vandaag om {clock} uur", "morgen om {clock} uur", "{day} om {clock} uur"),
    "en": ("today at {clock}", "tomorrow at {clock}", "on {day} at {clock}"),
}


def describe_moment(moment: dt.datetime, now: dt.datetime, language: str = "nl") -> str:
    """'morgen om 8.30 uur' / 'maandag 7-12 om 8.30 uur' in B1 Dutch, or 'tomorrow at 8.30' in English (local time)."""
    local = moment.astimezone(now.tzinfo) if moment.tzinfo else moment
    days = (local.date() - now.date()).days
    today, tomorrow, other = MOMENT_WORDS["en" if language == "en" else "nl"]
    weekday = WEEKDAYS_EN[local.weekday()] if language == "en" else WEEKDAYS_NL[WEEKDAY_KEYS[local.weekday()]]
    template = today if days == 0 else tomorrow if days == 1 else other
    return template.format(clock=f"{local.hour}.{local.minute:02d}", day=f"{weekday} {local.day}-{local.month}")


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
    chat_hours: OfficeHours
    raw: dict[str, Any] = field(repr=False)

    def template_values(self, language: str = "nl") -> dict[str, str]:
        """Values that knowledge texts may use as `{placeholder}`; example fees included. In English the facts
        that contain words (opening hours, "per jaar") come from the `english` block of the file."""
        values = {
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "website": self.website,
            "address": self.address,
            "phone_hours": self.phone_hours,
            "desk_hours": self.desk_hours,
            "privacy_email": self.privacy_email,
            # for callers from abroad (the messages in other languages)
            "phone_international": str(self.raw.get("phone_international") or self.phone),
        }
        values.update({k: str(v) for k, v in (self.raw.get("example_values") or {}).items()})
        if language == "en":
            english = self.raw.get("english") or {}
            values["phone_hours"] = str(english.get("opening_hours_text") or self.phone_hours)
            values["desk_hours"] = str(english.get("desk_text") or self.desk_hours)
            values.update({k: str(v) for k, v in (english.get("example_values") or {}).items()})
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
        chat_hours=OfficeHours.from_config(hours, "chat"),
        raw=raw,
    )
