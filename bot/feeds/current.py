"""Today's catalogue with its live feeds, loaded once per process per day.

Used by the action server (search) and by the Rasa server (calendar files of events).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from bot.catalog.loader import load_catalog
from bot.catalog.schema import AMSTERDAM
from bot.feeds.live import LiveCatalog
from bot.settings import Settings


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
