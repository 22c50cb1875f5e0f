"""Office hours with a fixed clock: weekdays, evenings, weekends, Dutch public holidays."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.handoff.hours import OfficeHours, OfficeHoursError, parse_schedule
from bot.settings import Settings

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def hours() -> OfficeHours:
    return OfficeHours.parse()  # the defaults: mon-fri 09:00-17:00 Amsterdam, NL holidays


@pytest.mark.parametrize(
    "moment, open_",
    [
        (datetime(2026, 11, 30, 9, 0, tzinfo=AMS), True),  # Monday, opening time
        (datetime(2026, 11, 30, 8, 59, tzinfo=AMS), False),  # a minute early
        (datetime(2026, 11, 30, 16, 59, tzinfo=AMS), True),
        (datetime(2026, 11, 30, 17, 0, tzinfo=AMS), False),  # closing time
        (datetime(2026, 12, 4, 12, 0, tzinfo=AMS), True),  # Friday
        (datetime(2026, 11, 28, 12, 0, tzinfo=AMS), False),  # Saturday
        (datetime(2026, 11, 29, 12, 0, tzinfo=AMS), False),  # Sunday
        (datetime(2026, 4, 27, 12, 0, tzinfo=AMS), False),  # King's Day (a Monday)
        (datetime(2026, 5, 14, 12, 0, tzinfo=AMS), False),  # Ascension Day
        (datetime(2026, 5, 25, 12, 0, tzinfo=AMS), False),  # Whit Monday
        (datetime(2026, 12, 25, 12, 0, tzinfo=AMS), False),  # Christmas
        (datetime(2030, 5, 6, 12, 0, tzinfo=AMS), True),  # the day after Liberation Day 2030
        (datetime(2030, 5, 5, 12, 0, tzinfo=AMS), False),  # Liberation Day (lustrum, a Sunday)
    ],
)
def test_default_hours(hours, moment, open_):
    assert hours.is_open(moment) is open_


def test_other_time_zones_are_converted(hours):
    # 08:30 UTC on a winter Monday is 09:30 in Amsterdam; 16:30 UTC is 17:30.
    assert hours.is_open(datetime(2026, 11, 30, 8, 30, tzinfo=timezone.utc))
    assert not hours.is_open(datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc))
    # Summer time: 07:30 UTC is 09:30 CEST.
    assert hours.is_open(datetime(2026, 7, 6, 7, 30, tzinfo=timezone.utc))
    # Naive times count as UTC.
    assert hours.is_open(datetime(2026, 7, 6, 7, 30))


def test_custom_schedule_closed_days_and_no_holidays():
    hours = OfficeHours.parse(
        "mon-thu 09:00-17:00, fri 09:00-12:30, sat 10:00-12:00",
        country="",
        closed_days="2026-12-24, 2026-12-31",
    )
    assert hours.is_open(datetime(2026, 12, 4, 12, 0, tzinfo=AMS))
    assert not hours.is_open(datetime(2026, 12, 4, 13, 0, tzinfo=AMS))
    assert hours.is_open(datetime(2026, 11, 28, 11, 0, tzinfo=AMS))  # Saturday morning
    assert not hours.is_open(datetime(2026, 12, 24, 10, 0, tzinfo=AMS))  # a closed day
    assert hours.is_open(datetime(2026, 12, 25, 10, 0, tzinfo=AMS))  # no holidays: a Friday
    assert "vrijdag 09:00-12:30" in hours.describe()


def test_holidays_off_opens_christmas_on_a_weekday():
    hours = OfficeHours.parse(country="")
    assert hours.is_open(datetime(2026, 12, 25, 10, 0, tzinfo=AMS))


def test_from_settings_uses_the_environment(monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", "sat-sun 10:00-14:00")
    monkeypatch.setenv("OFFICE_TIMEZONE", "UTC")
    monkeypatch.setenv("OFFICE_HOLIDAYS", "")
    hours = OfficeHours.from_settings(Settings.from_env())
    assert hours.is_open(datetime(2026, 11, 28, 13, 59, tzinfo=timezone.utc))
    assert not hours.is_open(datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc))
    assert hours.describe() == "zaterdag tot en met zondag 10:00-14:00"


@pytest.mark.parametrize(
    "bad",
    [
        "monday 9-17",
        "mon-fri 17:00-09:00",
        "fri-mon 09:00-17:00",
        "mon 25:00-26:00",
        "xyz 09:00-10:00",
    ],
)
def test_unreadable_schedules_are_refused(bad):
    with pytest.raises(OfficeHoursError):
        parse_schedule(bad)


def test_bad_zone_country_and_dates_are_refused():
    with pytest.raises(OfficeHoursError):
        OfficeHours.parse(timezone="Europe/Nowhere")
    with pytest.raises(OfficeHoursError):
        OfficeHours.parse(country="XX")
    with pytest.raises(OfficeHoursError):
        OfficeHours.parse(closed_days="24-12-2026")
