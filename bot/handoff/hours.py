"""Office hours of the helpdesk (KCC): when a live handover to an employee is possible.

Configuration (see the README's table):
- `OFFICE_HOURS`: the weekly schedule, e.g. `mon-fri 09:00-17:00` or
  `mon-thu 09:00-17:00, fri 09:00-12:30` (days: mon tue wed thu fri sat sun).
- `OFFICE_TIMEZONE`: the schedule's time zone (default Europe/Amsterdam).
- `OFFICE_HOLIDAYS`: a country code for public holidays from the `holidays` library
  (default `NL`: New Year, Easter, King's Day, Liberation Day in lustrum years, Ascension,
  Whitsun, Christmas); empty: no holidays.
- `OFFICE_CLOSED_DAYS`: extra closed dates, comma-separated ISO dates (2026-12-24,2026-12-31).

Pure Python: no Rasa imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Dict, FrozenSet, List, Optional, Tuple
from zoneinfo import ZoneInfo

import holidays

DEFAULT_OFFICE_HOURS = "mon-fri 09:00-17:00"
DEFAULT_TIMEZONE = "Europe/Amsterdam"
DEFAULT_HOLIDAYS = "NL"

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(
    r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:/[a-z]{3}(?:-[a-z]{3})?)*)\s+"
    r"(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)

Schedule = Dict[int, Tuple[Tuple[time, time], ...]]


class OfficeHoursError(ValueError):
    """OFFICE_HOURS (or a related setting) cannot be read."""


def _time(text: str) -> time:
    hours, minutes = (int(x) for x in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise OfficeHoursError(f"not a time of day: {text}")
    return time(hours, minutes)


def _days(spec: str) -> List[int]:
    result: List[int] = []
    for piece in spec.split("/"):
        first, _, last = piece.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise OfficeHoursError(f"unknown day in {piece!r}: use {', '.join(DAYS)}")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise OfficeHoursError(f"day range runs backwards: {piece!r}")
        result.extend(range(start, end + 1))
    return result


def parse_schedule(text: str) -> Schedule:
    """`mon-fri 09:00-17:00, sat 10:00-12:00` -> {weekday: ((start, end), ...)}."""
    schedule: Dict[int, List[Tuple[time, time]]] = {}
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        match = _PART.match(part)
        if not match:
            raise OfficeHoursError(
                f"cannot read {part!r}: write e.g. 'mon-fri 09:00-17:00, sat 10:00-12:00'"
            )
        start, end = _time(match["start"]), _time(match["end"])
        if end <= start:
            raise OfficeHoursError(f"closing time is not after opening time in {part!r}")
        for day in _days(match["days"]):
            schedule.setdefault(day, []).append((start, end))
    return {day: tuple(sorted(spans)) for day, spans in schedule.items()}


def parse_dates(text: str) -> FrozenSet[date]:
    try:
        return frozenset(date.fromisoformat(d.strip()) for d in text.split(",") if d.strip())
    except ValueError as error:
        raise OfficeHoursError(
            f"OFFICE_CLOSED_DAYS: {error} (use 2026-12-24,2026-12-31)"
        ) from error


@dataclass(frozen=True)
class OfficeHours:
    """A weekly schedule in a time zone, closed on public holidays and extra dates."""

    schedule: Schedule
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    country: str = DEFAULT_HOLIDAYS
    closed_days: FrozenSet[date] = frozenset()

    @classmethod
    def parse(
        cls,
        hours: str = DEFAULT_OFFICE_HOURS,
        timezone: str = DEFAULT_TIMEZONE,
        country: str = DEFAULT_HOLIDAYS,
        closed_days: str = "",
    ) -> OfficeHours:
        try:
            zone = ZoneInfo(timezone)
        except Exception as error:  # ZoneInfoNotFoundError, ValueError
            raise OfficeHoursError(f"unknown time zone {timezone!r}") from error
        country = country.strip().upper()
        if country and country not in holidays.list_supported_countries():
            raise OfficeHoursError(f"no public holidays known for country {country!r}")
        return cls(parse_schedule(hours), zone, country, parse_dates(closed_days))

    @classmethod
    def from_settings(cls, settings: Any) -> OfficeHours:
        """From `bot.settings.Settings` (office_hours, office_timezone, office_holidays, ...)."""
        return cls.parse(
            settings.office_hours,
            settings.office_timezone,
            settings.office_holidays,
            settings.office_closed_days,
        )

    def holiday(self, day: date) -> Optional[str]:
        """The name of the public holiday or closed day on `day`, else None."""
        if day in self.closed_days:
            return "closed"
        if self.country:
            return holidays.country_holidays(self.country, years=day.year).get(day)
        return None

    def is_open(self, now: datetime) -> bool:
        """True when `now` (timezone-aware; naive means UTC) falls in opening hours."""
        if now.tzinfo is None:
            now = now.replace(tzinfo=ZoneInfo("UTC"))
        local = now.astimezone(self.timezone)
        if self.holiday(local.date()):
            return False
        moment = local.time().replace(tzinfo=None)
        return any(
            start <= moment < end or (end == time.max and moment >= start)
            for start, end in self.schedule.get(local.weekday(), ())
        )

    def describe(self) -> str:
        """A short Dutch description for the user: 'maandag tot en met vrijdag 09:00-17:00'."""
        names = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
        groups: List[Tuple[List[int], Tuple[Tuple[time, time], ...]]] = []
        for day in range(7):
            spans = self.schedule.get(day)
            if not spans:
                continue
            if groups and groups[-1][1] == spans and groups[-1][0][-1] == day - 1:
                groups[-1][0].append(day)
            else:
                groups.append(([day], spans))
        parts = []
        for days, spans in groups:
            when = (
                names[days[0]]
                if len(days) == 1
                else f"{names[days[0]]} tot en met {names[days[-1]]}"
            )
            hours = " en ".join(
                f"{s:%H:%M}-{'24:00' if e == time.max else format(e, '%H:%M')}" for s, e in spans
            )
            parts.append(f"{when} {hours}")
        return "; ".join(parts) or "op dit moment niet"
