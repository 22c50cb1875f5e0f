"""The programme data as the action server sees it: loaded once per process (per day)."""

from __future__ import annotations

from functools import lru_cache
from typing import Dict

from bot.content.loader import Programme, load_programme
from bot.feeds.current import live_catalog, now  # noqa: F401  (used by the actions)
from bot.settings import Settings


@lru_cache(maxsize=1)
def programme() -> Programme:
    """Loaded at first use; restart the action server to load edited data."""
    return load_programme(Settings.from_env().programme_dir)


def contact_fields() -> Dict[str, str]:
    """Contact details as template variables for responses such as utter_contact."""
    contact = programme().contact
    return {
        "telefoon": contact.telefoon,
        "telefoon_buitenland": contact.telefoon_buitenland,
        "adres": contact.adres,
        "website": contact.website,
    }
