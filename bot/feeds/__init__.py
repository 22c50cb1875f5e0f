"""Live sources for events (iCalendar) and offers/opportunities (JSON), with cache and fallback.

Pure Python (no Rasa imports). Start with ``LiveCatalog.from_settings(catalog, settings)``.
"""

from bot.feeds.live import LiveCatalog, Snapshot
from bot.feeds.source import Feed, FeedError, FeedResult

__all__ = ["Feed", "FeedError", "FeedResult", "LiveCatalog", "Snapshot"]
