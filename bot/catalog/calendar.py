"""One event as an iCalendar (.ics) file for "In mijn agenda". Pure Python (icalendar).

Times are written with TZID=Europe/Amsterdam and the matching VTIMEZONE, so a calendar app
shows the local time the event has in the programme, also across daylight-saving changes.
"""

from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar
from icalendar import Event as IcsEvent

from bot.catalog.schema import AMSTERDAM, Event

PRODID = "-//Gemeente Haarlem//Impact Ondernemen assistent//NL"
UID_DOMAIN = "impact-ondernemen.haarlem.nl"


def event_ics(event: Event, stamp: datetime) -> bytes:
    """The .ics file of ``event``; ``stamp`` is the creation time (DTSTAMP)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    item = IcsEvent()
    item.add("uid", f"{event.id}@{UID_DOMAIN}")
    item.add("dtstamp", stamp.astimezone(timezone.utc))
    item.add("dtstart", event.start.astimezone(AMSTERDAM))
    item.add("dtend", event.end.astimezone(AMSTERDAM))
    item.add("summary", event.titel)
    item.add("location", "Online" if event.online else event.locatie)
    description = [
        event.omschrijving or "",
        f"Organisator: {event.organisator}",
        f"Aanmelden: {event.aanmelden}",
    ]
    item.add("description", "\n".join(d for d in description if d))
    item.add("url", event.aanmelden)
    calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def filename(event: Event) -> str:
    """A safe file name: the event id (ids are slugs) with .ics."""
    return f"{event.id}.ics"
