"""The state of a search conversation: what the user asks for, refined turn by turn.

Pure Python: the Rasa actions pass in the intent, the text, the entities and the previous
state (a slot), and store the state this returns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, Dict, Iterable, List, Mapping, Optional

from bot import names
from bot.catalog.loader import Catalog
from bot.catalog.matching import find_in_text, resolve
from bot.catalog.periods import Period, parse_period
from bot.catalog.schema import local
from bot.catalog.search import CatalogIndex
from bot.catalog.words import ON_SITE_WORDS, ONLINE_WORDS

OFFERS, OPPORTUNITIES, EVENTS = "aanbod", "opdrachten", "evenementen"
KIND_BY_INTENT = {
    names.SEARCH_OFFERS: OFFERS,
    names.SEARCH_OPPORTUNITIES: OPPORTUNITIES,
    names.SEARCH_EVENTS: EVENTS,
}


@dataclass(frozen=True)
class Filters:
    """What one message asks for; None means "not said"."""

    categorie: Optional[str] = None
    impact: Optional[str] = None
    soort: Optional[str] = None
    online: Optional[bool] = None
    period: Optional[Period] = None

    @property
    def empty(self) -> bool:
        return all(v is None for v in asdict(self).values())

    @property
    def names_nothing(self) -> bool:
        """No category, impact, kind or period: at most a place ("en in Haarlem dan?")."""
        return all(v is None for k, v in asdict(self).items() if k != "online")


@dataclass(frozen=True)
class SearchState:
    """The search as it stands; kept in a slot between turns."""

    kind: Optional[str] = None
    categorie: Optional[str] = None
    impact: Optional[str] = None
    soort: Optional[str] = None
    online: Optional[bool] = None
    period_start: Optional[str] = None
    period_end: Optional[str] = None
    period_label: Optional[str] = None
    page: int = 1

    @property
    def period(self) -> Optional[Period]:
        if not (self.period_start and self.period_end):
            return None
        return Period(
            datetime.fromisoformat(self.period_start),
            datetime.fromisoformat(self.period_end),
            self.period_label or "",
        )

    def to_slot(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> Optional[SearchState]:
        if not isinstance(value, Mapping):
            return None
        known = {k: v for k, v in value.items() if k in cls.__dataclass_fields__}
        try:
            return cls(**known)
        except TypeError:
            return None

    def with_filters(self, filters: Filters) -> SearchState:
        """This state with every filter the message named replaced."""
        changes: Dict[str, Any] = {
            name: getattr(filters, name)
            for name in ("categorie", "impact", "soort", "online")
            if getattr(filters, name) is not None
        }
        if filters.period is not None:
            changes.update(
                period_start=local(filters.period.start).isoformat(),
                period_end=local(filters.period.end).isoformat(),
                period_label=filters.period.label,
            )
        return replace(self, page=1, **changes)


def _entity_values(entities: Iterable[Mapping[str, Any]], label: str) -> List[str]:
    return [str(e.get("value")) for e in entities if e.get("entity") == label and e.get("value")]


def _online(text: str, entities: Iterable[Mapping[str, Any]]) -> Optional[bool]:
    for value in _entity_values(entities, "locatie"):
        return value == "online"
    lowered = text.lower()
    if any(word in lowered for word in ON_SITE_WORDS):
        return False
    if any(word in lowered for word in ONLINE_WORDS):
        return True
    return None


def _first(label: str, text: str, entities, options) -> Optional[str]:
    """An id named by an entity (after synonyms) or found in the text (compounds, typos)."""
    for value in _entity_values(entities, label):
        found = resolve(value, options)
        if found:
            return found
    hits = find_in_text(text, options)
    return hits[0] if hits else None


def extract_filters(
    text: str, entities: Iterable[Mapping[str, Any]], catalog: Catalog, now: datetime
) -> Filters:
    """Everything one message says about what to search."""
    entities = list(entities)
    period_text = " ".join(_entity_values(entities, "periode")) or text
    return Filters(
        categorie=_first("categorie", text, entities, catalog.categories.values()),
        impact=_first("impact", text, entities, catalog.impact_kinds.values()),
        soort=_first("soort", text, entities, catalog.event_kinds.values()),
        online=_online(text, entities),
        period=parse_period(period_text, now),
    )


def next_state(intent: str, filters: Filters, previous: Optional[SearchState]) -> SearchState:
    """The search after this message.

    A search intent starts a new search (a category carries over between offers and
    opportunities: "en zijn er ook opdrachten voor?"). Any other intent refines the last search.
    """
    kind = KIND_BY_INTENT.get(intent)
    if kind:
        state = SearchState(kind=kind)
        if (
            filters.categorie is None
            and previous is not None
            and previous.categorie
            and kind in (OFFERS, OPPORTUNITIES)
        ):
            state = replace(state, categorie=previous.categorie)
        return state.with_filters(filters)
    state = (previous or SearchState()).with_filters(filters)
    if state.kind is None and (filters.soort or filters.period or filters.online is not None):
        state = replace(state, kind=EVENTS)
    return state


def missing(state: SearchState) -> Optional[str]:
    """What to ask before searching: "kind", "categorie", or None."""
    if state.kind is None:
        return "kind"
    if state.kind == OFFERS and not (state.categorie or state.impact):
        return "categorie"
    if state.kind == OPPORTUNITIES and not state.categorie:
        return "categorie"
    return None


def matching_items(state: SearchState, index: CatalogIndex, now: datetime) -> List[Any]:
    """Every item that matches the state, best first."""
    if state.kind == OFFERS:
        return index.offers(categorie=state.categorie, impact=state.impact)
    if state.kind == OPPORTUNITIES:
        return index.opportunities(categorie=state.categorie, now=now)
    if state.kind == EVENTS:
        return index.events(soort=state.soort, period=state.period, online=state.online, now=now)
    return []


def platform_role(text: str) -> Optional[str]:
    """Whether someone wants to list demand ("inkoper") or an offer ("aanbieder"), if they say."""
    lowered = text.lower()
    if any(
        w in lowered
        for w in (
            "inkoopvraag",
            "vraag plaatsen",
            "vraag zetten",
            "inkoper",
            "opdracht plaatsen",
            "opdrachtgever",
        )
    ):
        return "inkoper"
    if any(
        w in lowered
        for w in (
            "aanbod",
            "aanbieder",
            "leverancier",
            "mijn bedrijf",
            "mijn onderneming",
            "als ondernemer",
        )
    ):
        return "aanbieder"
    return None
