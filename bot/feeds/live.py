"""The catalogue with live sources on top: one snapshot (index + freshness) within 3 seconds.

Configured by `bot.settings.Settings` (EVENTS_ICS_URL, OFFERS_JSON_URL, OPPORTUNITIES_JSON_URL,
FEED_TTL_SECONDS, FEED_TIMEOUT_SECONDS, FEED_WAIT_SECONDS; see the README's table).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, Tuple, TypedDict

import requests

from bot.catalog.loader import Catalog
from bot.catalog.schema import AMSTERDAM
from bot.catalog.search import CatalogIndex
from bot.feeds.parsers import parse_ics, parse_offers, parse_opportunities
from bot.feeds.source import Feed, FeedResult

if TYPE_CHECKING:
    from bot.settings import Settings

WAIT_SECONDS = 2.5  # total time a caller may wait for all sources together (budget: 3 s)


class _FeedOptions(TypedDict):
    """The settings every feed of a LiveCatalog shares."""

    ttl: float
    timeout: float
    wait: float
    session: Optional[requests.Session]
    clock: Callable[[], float]


@dataclass(frozen=True)
class Snapshot:
    """A search index over the freshest data, and how fresh each part is."""

    index: CatalogIndex
    offers: FeedResult
    opportunities: FeedResult
    events: FeedResult

    @property
    def stale(self) -> bool:
        return self.offers.stale or self.opportunities.stale or self.events.stale


class LiveCatalog:
    """Embedded catalogue plus optional live feeds; ``snapshot()`` is safe to call per message."""

    def __init__(
        self,
        catalog: Catalog,
        urls: Mapping[str, Optional[str]],
        ttl: float = 300.0,
        timeout: float = 2.0,
        wait: float = WAIT_SECONDS,
        session: Optional[requests.Session] = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(AMSTERDAM),
    ):
        self.catalog = catalog
        self.wait = wait
        self.clock = clock
        common = _FeedOptions(ttl=ttl, timeout=timeout, wait=wait, session=session, clock=clock)
        events_url = urls.get("EVENTS_ICS_URL")
        offers_url = urls.get("OFFERS_JSON_URL")
        opportunities_url = urls.get("OPPORTUNITIES_JSON_URL")
        self.events = Feed(
            "events",
            events_url,
            lambda body: parse_ics(body, catalog, events_url or ""),
            lambda: list(catalog.events),
            **common,
        )
        self.offers = Feed(
            "offers",
            offers_url,
            lambda body: parse_offers(body, catalog, offers_url or ""),
            lambda: list(catalog.offers),
            **common,
        )
        self.opportunities = Feed(
            "opportunities",
            opportunities_url,
            lambda body: parse_opportunities(body, catalog, now(), opportunities_url or ""),
            lambda: list(catalog.opportunities),
            **common,
        )
        self._lock = threading.Lock()
        self._built: Dict[Tuple[int, int, int], CatalogIndex] = {}

    @classmethod
    def from_settings(cls, catalog: Catalog, settings: Settings, **kwargs: Any) -> LiveCatalog:
        """The catalogue with the sources and timings of ``settings`` (EVENTS_ICS_URL, ...)."""
        urls = {
            "EVENTS_ICS_URL": settings.events_ics_url,
            "OFFERS_JSON_URL": settings.offers_json_url,
            "OPPORTUNITIES_JSON_URL": settings.opportunities_json_url,
        }
        return cls(
            catalog,
            urls,
            ttl=settings.feed_ttl_seconds,
            timeout=settings.feed_timeout_seconds,
            wait=settings.feed_wait_seconds,
            **kwargs,
        )

    def snapshot(self) -> Snapshot:
        """All three sources within one shared deadline; the index is rebuilt only when data changed."""
        feeds: Tuple[Feed[Any], ...] = (self.offers, self.opportunities, self.events)
        runs = [
            feed.refresh() for feed in feeds
        ]  # start every download first, so they run in parallel
        deadline = self.clock() + self.wait
        offers, opportunities, events = (
            feed.collect(run, deadline) for feed, run in zip(feeds, runs, strict=True)
        )
        return Snapshot(self._index(offers, opportunities, events), offers, opportunities, events)

    def _index(
        self, offers: FeedResult, opportunities: FeedResult, events: FeedResult
    ) -> CatalogIndex:
        # The feeds keep their item lists; identical contents give identical element ids.
        key = (_identity(offers), _identity(opportunities), _identity(events))
        with self._lock:
            index = self._built.get(key)
            if index is None:
                catalog = replace(
                    self.catalog,
                    offers=offers.items,
                    opportunities=opportunities.items,
                    events=events.items,
                )
                index = CatalogIndex(catalog)
                self._built = {key: index}  # keep only the latest
            return index


def _identity(result: FeedResult) -> int:
    """Changes when the feed's data changes (a new download or a fallback to other data)."""
    return hash((result.fetched_at, len(result.items), id(result.items[0]) if result.items else 0))
