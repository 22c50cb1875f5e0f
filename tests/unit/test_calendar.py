"""The .ics file of one event: parses, and has the right local and UTC times."""

from datetime import datetime, timezone

import pytest
from icalendar import Calendar

from bot.catalog.calendar import event_ics, filename
from bot.catalog.schema import AMSTERDAM, Event

STAMP = datetime(2026, 11, 28, 12, 0, tzinfo=AMSTERDAM)


def event(start: datetime, end: datetime, **fields) -> Event:
    return Event(
        id="impact-cafe",
        titel="Impact Café",
        soort="netwerk",
        locatie="Haarlem",
        online=False,
        organisator="Gemeente Haarlem",
        start=start,
        end=end,
        aanmelden="https://example.org/aanmelden",
        status="voorbeeld",
        bronnen=["tests/unit/test_calendar.py"],
        **fields,
    )


@pytest.mark.parametrize(
    "start, utc_hour",
    [
        (datetime(2026, 12, 8, 16, 0, tzinfo=AMSTERDAM), 15),  # winter time: UTC+1
        (datetime(2026, 6, 8, 16, 0, tzinfo=AMSTERDAM), 14),  # summer time: UTC+2
    ],
)
def test_times_are_amsterdam_times(start, utc_hour):
    body = event_ics(event(start, start.replace(hour=18), omschrijving="Praat mee."), STAMP)
    calendar = Calendar.from_ical(body)
    [vevent] = calendar.walk("VEVENT")
    assert b"DTSTART;TZID=Europe/Amsterdam:" in body
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Amsterdam"
    parsed = vevent.decoded("dtstart")
    assert parsed == start and parsed.astimezone(timezone.utc).hour == utc_hour
    assert vevent.decoded("dtend").hour == 18
    assert str(vevent["summary"]) == "Impact Café"
    assert str(vevent["location"]) == "Haarlem"
    assert "https://example.org/aanmelden" in str(vevent["description"])
    assert str(vevent["uid"]).startswith("impact-cafe@")


def test_online_event_and_file_name():
    start = datetime(2026, 12, 8, 16, 0, tzinfo=AMSTERDAM)
    online = event(start, start.replace(hour=17)).copy(update={"online": True})
    [vevent] = Calendar.from_ical(event_ics(online, STAMP)).walk("VEVENT")
    assert str(vevent["location"]) == "Online"
    assert filename(online) == "impact-cafe.ics"
