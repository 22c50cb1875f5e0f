"""Fast search over offers, opportunities and events, built once from a Catalog.

Filters take ids (``categorie="schoonmaak"``); a value that is not an id is resolved with
bot.catalog.matching first ("schoonmaakbedrijf" -> schoonmaak), and an unknown value gives no results.
Events are "still to come" when they have not ended yet (``end > now``), so an event that has
started but is still running (The Impact Days, three days) is shown; soonest start first.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import (
    Callable,
    Dict,
    Generic,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    TypeVar,
)

from bot.catalog.loader import Catalog
from bot.catalog.matching import NamedTerm, resolve
from bot.catalog.periods import Period
from bot.catalog.schema import AMSTERDAM, Event, Offer, Opportunity, local

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results; ``page`` counts from 1."""

    items: List[T]
    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page(items: Sequence[T], page: int, size: int = 3) -> Page[T]:
    """Page ``page`` (1-based) of ``items``; a page past the end is empty."""
    if page < 1 or size < 1:
        raise ValueError("page and size start at 1")
    start = (page - 1) * size
    return Page(items=list(items[start : start + size]), page=page, size=size, total=len(items))


class _Timeline(Generic[T]):
    """Items sorted by a datetime key, for bisect range queries."""

    def __init__(self, items: Iterable[T], key: Callable[[T], datetime]):
        self.items: List[T] = sorted(items, key=key)
        self.keys: List[datetime] = [key(item) for item in self.items]


def _now(now: Optional[datetime]) -> datetime:
    return local(now) if now is not None else datetime.now(AMSTERDAM)


class CatalogIndex:
    """Indexes over one Catalog; build once, search many times (read-only, thread-safe)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._offers = list(catalog.offers)
        by_category: Dict[str, List[int]] = {}
        by_impact: Dict[str, List[int]] = {}
        for index, offer in enumerate(self._offers):
            by_category.setdefault(offer.categorie, []).append(index)
            for impact in offer.impact:
                by_impact.setdefault(impact, []).append(index)
        # Each filter as (indices in data order, the same as a set for membership tests).
        self._offers_by_category = {k: (v, set(v)) for k, v in by_category.items()}
        self._offers_by_impact = {k: (v, set(v)) for k, v in by_impact.items()}

        self._opportunities = _Timeline(catalog.opportunities, key=lambda o: o.deadline)

        self._events: Dict[Optional[str], _Timeline[Event]] = {
            None: _Timeline(catalog.events, key=lambda e: e.start)
        }
        for kind in {e.soort for e in catalog.events}:
            self._events[kind] = _Timeline(
                (e for e in catalog.events if e.soort == kind), key=lambda e: e.start
            )
        self._longest_event = max((e.end - e.start for e in catalog.events), default=timedelta(0))

    # --- helpers --------------------------------------------------------------------------------

    def _id(self, value: Optional[str], terms: Mapping[str, NamedTerm]) -> Optional[str]:
        """``value`` as an id of ``terms``: as given, or resolved; '' when it names nothing."""
        if value is None or value in terms:
            return value
        return resolve(value, terms) or ""

    # --- offers ---------------------------------------------------------------------------------

    def offers(self, categorie: Optional[str] = None, impact: Optional[str] = None) -> List[Offer]:
        """Offers matching every given filter, in data order."""
        categorie = self._id(categorie, self.catalog.categories)
        impact = self._id(impact, self.catalog.impact_kinds)
        empty: Tuple[List[int], Set[int]] = ([], set())
        lists = []
        if categorie is not None:
            lists.append(self._offers_by_category.get(categorie, empty))
        if impact is not None:
            lists.append(self._offers_by_impact.get(impact, empty))
        if not lists:
            return list(self._offers)
        sets = [members for _, members in lists]
        base = min(lists, key=lambda pair: len(pair[0]))[0]
        candidates: Sequence[int] = [i for i in base if all(i in members for members in sets)]
        return [self._offers[i] for i in candidates]

    # --- opportunities --------------------------------------------------------------------------

    def opportunities(
        self, categorie: Optional[str] = None, now: Optional[datetime] = None
    ) -> List[Opportunity]:
        """Open opportunities (deadline not passed), soonest deadline first."""
        now = _now(now)
        categorie = self._id(categorie, self.catalog.categories)
        timeline = self._opportunities
        result = []
        for i in range(bisect_left(timeline.keys, now), len(timeline.items)):
            item = timeline.items[i]
            if categorie is not None and item.categorie != categorie:
                continue
            result.append(item)
        return result

    # --- events ---------------------------------------------------------------------------------

    def events(
        self,
        soort: Optional[str] = None,
        period: Optional[Period] = None,
        online: Optional[bool] = None,
        now: Optional[datetime] = None,
    ) -> List[Event]:
        """Events still to come (not yet ended), within ``period`` if given, soonest start first."""
        now = _now(now)
        soort = self._id(soort, self.catalog.event_kinds)
        timeline = self._events.get(soort)
        if timeline is None:
            return []
        lower = now if period is None else max(now, period.start)
        first = bisect_left(timeline.keys, lower - self._longest_event)
        last = len(timeline.items) if period is None else bisect_left(timeline.keys, period.end)
        result = []
        for i in range(first, last):
            event = timeline.items[i]
            if event.end <= lower:
                continue
            if online is not None and event.online != online:
                continue
            result.append(event)
        return result
