"""The programme data as the action server sees it: loaded once per process (per day)."""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Dict

from bot.catalog.loader import load_catalog
from bot.catalog.schema import AMSTERDAM
from bot.content.loader import Programme, load_programme
from bot.feeds.live import LiveCatalog
from bot.settings import Settings


@lru_cache(maxsize=1)
def programme() -> Programme:
    """Loaded at first use; restart the action server to load edited data."""
    return load_programme(Settings.from_env().programme_dir)


def now() -> datetime:
    return datetime.now(AMSTERDAM)


@lru_cache(maxsize=1)
def _live_catalog(day: date) -> LiveCatalog:
    # Example dates are relative to the load day, so the catalogue is loaded again each day.
    settings = Settings.from_env()
    return LiveCatalog.from_settings(load_catalog(settings.programme_dir, now()), settings)


def live_catalog() -> LiveCatalog:
    """The catalogue with its live feeds (EVENTS_ICS_URL, OFFERS_JSON_URL, ...)."""
    return _live_catalog(now().date())


def contact_fields() -> Dict[str, str]:
    """Contact details as template variables for responses such as utter_contact."""
    contact = programme().contact
    return {
        "telefoon": contact.telefoon,
        "telefoon_buitenland": contact.telefoon_buitenland,
        "adres": contact.adres,
        "website": contact.website,
    }
