"""Turn feed bodies into catalogue items: iCalendar events, JSON offers and opportunities.

JSON feeds are a list of objects in the same shape as the YAML entries and are validated with the
same schema and cross-checks; one invalid entry rejects the whole body (the caller then keeps the
last good copy), and the error names the feed, the entry and the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, List, Optional

from icalendar import Calendar

from bot.catalog import matching
from bot.catalog.loader import Catalog, check_events, check_offers, check_opportunities
from bot.catalog.schema import (
    AMSTERDAM,
    Event,
    Offer,
    OffersFile,
    OpportunitiesFile,
    Opportunity,
    local,
)
from bot.catalog.words import ONLINE_PATTERN
from bot.content.loader import DataError, validate
from bot.feeds.source import FeedError

DEFAULT_KIND = "overig"


def _json_list(body: bytes, name: str) -> List[Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"{name}: not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise FeedError(f"{name}: expected a JSON list of objects")
    return data


def parse_offers(body: bytes, catalog: Catalog, name: str = "OFFERS_JSON_URL") -> List[Offer]:
    """Offers from a JSON list; same schema and checks as data/programme/aanbod.yml."""
    try:
        offers = validate(name, {"aanbod": _json_list(body, name)}, OffersFile).aanbod
        check_offers(name, offers, catalog.categories, catalog.impact_kinds)
    except DataError as exc:
        raise FeedError(str(exc)) from exc
    return offers


def parse_opportunities(
    body: bytes, catalog: Catalog, now: datetime, name: str = "OPPORTUNITIES_JSON_URL"
) -> List[Opportunity]:
    """Opportunities from a JSON list; same schema and checks as data/programme/inkoopvragen.yml."""
    try:
        entries = validate(
            name, {"inkoopvragen": _json_list(body, name)}, OpportunitiesFile
        ).inkoopvragen
        check_opportunities(name, entries, catalog.categories)
    except DataError as exc:
        raise FeedError(str(exc)) from exc
    return [entry.resolve(now) for entry in entries]


def _moment(value: Any) -> datetime:
    """An iCalendar DTSTART/DTEND value as an Amsterdam datetime (dates start at midnight)."""
    if isinstance(value, datetime):
        return local(value)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=AMSTERDAM)
    raise ValueError(f"not a date: {value!r}")


def _text(component: Any, key: str) -> str:
    value = component.get(key)
    return str(value).strip() if value is not None else ""


def _categories(component: Any) -> List[str]:
    value = component.get("CATEGORIES")
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    words: List[str] = []
    for item in values:
        cats = getattr(item, "cats", None)
        words.extend(str(c) for c in cats) if cats is not None else words.append(str(item))
    return [w.strip() for w in words if str(w).strip()]


def _event_id(uid: str, start: datetime) -> str:
    digest = hashlib.sha1(f"{uid}|{start.isoformat()}".encode()).hexdigest()[:12]
    return f"ics-{digest}"


def _kind(categories: Iterable[str], title: str, catalog: Catalog) -> str:
    for word in categories:
        found = matching.resolve(word, catalog.event_kinds)
        if found:
            return found
    found_in_title = matching.find_in_text(title, catalog.event_kinds)
    return found_in_title[0] if found_in_title else DEFAULT_KIND


def parse_ics(
    body: bytes, catalog: Catalog, name: str = "EVENTS_ICS_URL", organizer: Optional[str] = None
) -> List[Event]:
    """Events from an iCalendar feed. Recurring events (RRULE) give their first date only."""
    try:
        calendar = Calendar.from_ical(body)
    except Exception as exc:  # icalendar raises ValueError and friends on garbage
        raise FeedError(f"{name}: not a valid iCalendar file: {exc}") from exc
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise FeedError(f"{name}: not a VCALENDAR")
    default_organizer = organizer or _text(calendar, "X-WR-CALNAME") or "onbekend"
    events: List[Event] = []
    for index, component in enumerate(calendar.walk("VEVENT")):
        try:
            events.append(_event(component, catalog, name, default_organizer))
        except (ValueError, KeyError, TypeError) as exc:
            uid = _text(component, "UID") or "?"
            raise FeedError(f"{name}: entry VEVENT[{index}] (UID={uid}): {exc}") from exc
    check_events(name, events, catalog.event_kinds)
    return events


def _event(component: Any, catalog: Catalog, source: str, default_organizer: str) -> Event:
    if component.get("DTSTART") is None:
        raise ValueError("field 'DTSTART' is missing")
    start = _moment(component.decoded("DTSTART"))
    if component.get("DTEND") is not None:
        end = _moment(component.decoded("DTEND"))
    elif component.get("DURATION") is not None:
        end = start + component.decoded("DURATION")
    else:
        all_day = not isinstance(component.decoded("DTSTART"), datetime)
        end = start + (timedelta(days=1) if all_day else timedelta(hours=1))
    if end <= start:  # some calendars write DTEND = DTSTART for a moment in time
        end = start + timedelta(hours=1)
    title = _text(component, "SUMMARY")
    if not title:
        raise ValueError("field 'SUMMARY' is missing")
    location = _text(component, "LOCATION")
    description = _text(component, "DESCRIPTION")
    categories = _categories(component)
    url = _text(component, "URL") or source_link(source)
    organizer = component.get("ORGANIZER")
    organizer_name = (
        organizer.params.get("CN")
        if organizer is not None and hasattr(organizer, "params")
        else None
    ) or default_organizer
    online = bool(ONLINE_PATTERN.search(" ".join([location, title])))
    kind = _kind(categories, title, catalog)
    theme = ", ".join(c for c in categories if not matching.resolve(c, catalog.event_kinds))
    return Event(
        id=_event_id(_text(component, "UID") or title, start),
        titel=title,
        soort=kind,
        start=start,
        end=end,
        locatie=location or ("online" if online else "onbekend"),
        online=online,
        thema=theme,
        organisator=str(organizer_name),
        aanmelden=url,
        omschrijving=description or None,
        status="vastgesteld",
        bronnen=[source_link(source)],
    )


def source_link(source: str) -> str:
    """The feed URL when ``source`` is one, else a placeholder that passes the link check."""
    return source if re.match(r"^https?://\S+$", source) else "https://www.haarlem.nl"
