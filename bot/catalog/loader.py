"""Load and validate the catalogue files; errors name the file, the entry and the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Dict, Iterable, List, Protocol, Sequence, Tuple

from bot.catalog.schema import (
    CategoriesFile,
    Category,
    Event,
    EventKind,
    EventsFile,
    ImpactKind,
    Offer,
    OffersFile,
    OpportunitiesFile,
    Opportunity,
    Platform,
    PlatformFile,
    local,
)
from bot.content.loader import DataError, load_file

FILES = {
    "categorieen": "categorieen.yml",
    "aanbod": "aanbod.yml",
    "inkoopvragen": "inkoopvragen.yml",
    "evenementen": "evenementen.yml",
    "platform": "platform.yml",
}


@dataclass(frozen=True)
class Catalog:
    """All catalogue data, validated, cross-checked and with dates resolved against ``now``."""

    categories: Dict[str, Category]
    event_kinds: Dict[str, EventKind]
    impact_kinds: Dict[str, ImpactKind]
    offers: List[Offer]
    opportunities: List[Opportunity]
    events: List[Event]
    platform: Platform


class Identified(Protocol):
    """A catalogue entry with an id (offer, opportunity, event)."""

    @property
    def id(self) -> str: ...


def check_references(
    source: Path | str,
    list_name: str,
    items: Sequence[Identified],
    field_name: str,
    known: Iterable[str],
    label: str,
) -> None:
    """Fail with file, entry and field when an item names an id that is not in ``known``."""
    known = set(known)
    messages = []
    for index, item in enumerate(items):
        value = getattr(item, field_name)
        for ref in value if isinstance(value, list) else [value]:
            if ref not in known:
                messages.append(
                    f"{source}: entry {list_name}[{index}] (id={item.id}): "
                    f"field '{field_name}': unknown {label} '{ref}' (known: {', '.join(sorted(known))})"
                )
    if messages:
        raise DataError("\n".join(messages))


def check_offers(
    source: Path | str, offers: Sequence[Offer], categories: Iterable[str], impacts: Iterable[str]
) -> None:
    check_references(source, "aanbod", offers, "categorie", categories, "category")
    check_references(source, "aanbod", offers, "impact", impacts, "impact kind")


def check_opportunities(
    source: Path | str, items: Sequence[Identified], categories: Iterable[str]
) -> None:
    check_references(source, "inkoopvragen", items, "categorie", categories, "category")


def check_events(source: Path | str, items: Sequence[Identified], kinds: Iterable[str]) -> None:
    check_references(source, "evenementen", items, "soort", kinds, "event kind")


def _vocabularies(
    directory: Path,
) -> Tuple[Dict[str, Category], Dict[str, EventKind], Dict[str, ImpactKind]]:
    vocab = load_file(directory / FILES["categorieen"], CategoriesFile)
    return (
        {c.id: c for c in vocab.categorieen},
        {k.id: k for k in vocab.soorten_evenement},
        {k.id: k for k in vocab.impact_soorten},
    )


def load_catalog(directory: Path, now: datetime) -> Catalog:
    """Load every catalogue file in ``directory``; relative dates are resolved against ``now``."""
    now = local(now)
    categories, kinds, impacts = _vocabularies(directory)

    path = directory / FILES["aanbod"]
    offers = load_file(path, OffersFile).aanbod
    check_offers(path, offers, categories, impacts)

    path = directory / FILES["inkoopvragen"]
    entries = load_file(path, OpportunitiesFile).inkoopvragen
    check_opportunities(path, entries, categories)
    opportunities = [e.resolve(now) for e in entries]

    path = directory / FILES["evenementen"]
    event_entries = load_file(path, EventsFile).evenementen
    check_events(path, event_entries, kinds)
    events = [_resolve_event(path, i, e, now) for i, e in enumerate(event_entries)]

    platform = load_file(directory / FILES["platform"], PlatformFile).platform
    return Catalog(
        categories=categories,
        event_kinds=kinds,
        impact_kinds=impacts,
        offers=offers,
        opportunities=opportunities,
        events=events,
        platform=platform,
    )


def _resolve_event(path: Path | str, index: int, entry, now: datetime) -> Event:
    try:
        return entry.resolve(now)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise DataError(
            f"{path}: entry evenementen[{index}] (id={entry.id}): field 'eind': the end must be after the start"
        ) from exc
