"""Dutch replies for searches: results, questions, no results, details. Pure Python.

A reply (bot/replies/model.py) is text plus buttons; a result list also has result items that
channels show as cards (bot/replies/render.py). Buttons carry Rasa payloads; channels without
buttons show them as numbered options (see bot/channels). Texts are B1 Dutch and address the
user as "je".
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from babel.dates import format_date, format_datetime

from bot import names
from bot.catalog.dialogue import EVENTS, OFFERS, OPPORTUNITIES, SearchState
from bot.catalog.loader import Catalog
from bot.catalog.matching import nearest
from bot.catalog.ordinals import LAST
from bot.catalog.schema import AMSTERDAM, Event, Offer, Opportunity
from bot.catalog.search import Page
from bot.replies.model import Button, Link, Reply, ResultItem

EXAMPLE_NOTE = "Let op: dit zijn voorbeeldgegevens, nog geen echte {what}."
NOUNS = {OFFERS: "aanbieders", OPPORTUNITIES: "opdrachten", EVENTS: "evenementen"}
SINGULAR = {OFFERS: "aanbieder", OPPORTUNITIES: "opdracht", EVENTS: "evenement"}
EXAMPLE_WHAT = {OFFERS: "bedrijven", OPPORTUNITIES: "opdrachten", EVENTS: "evenementen"}
EXAMPLE_MARK = "voorbeeldgegevens"  # in EXAMPLE_NOTE: how a conversation shows it was said
MORE_TITLE = "Toon meer"
DETAIL_TITLE = "Meer hierover"
CALENDAR_PATH = "/webchat/agenda/{id}.ics"  # served by bot/channels/webchat.py


def inform_payload(**entities: str) -> str:
    """A Rasa intent payload that fills entities: /inform{"categorie": "catering"}."""
    return names.payload(names.INFORM, **entities)


def when(event: Event) -> str:
    start = event.start.astimezone(AMSTERDAM)
    text = format_datetime(start, "EEEE d MMMM 'om' HH:mm", locale="nl")
    if event.end.date() != event.start.date():
        text = (
            format_date(start, "EEEE d MMMM", locale="nl")
            + " tot en met "
            + format_date(event.end.astimezone(AMSTERDAM), "EEEE d MMMM", locale="nl")
        )
    return text


def describe(state: SearchState, catalog: Catalog) -> str:
    """The filters in words: 'voor catering, online, in maart'."""
    parts = []
    if state.categorie in catalog.categories:
        parts.append(f"voor {catalog.categories[state.categorie].naam.lower()}")
    if state.impact in catalog.impact_kinds:
        parts.append(f"met impact: {catalog.impact_kinds[state.impact].naam.lower()}")
    if state.soort in catalog.event_kinds:
        parts.append(f"van het soort {catalog.event_kinds[state.soort].naam}")
    if state.online is True:
        parts.append("online")
    elif state.online is False:
        parts.append("op locatie")
    if state.period_label:
        parts.append(state.period_label)
    return ", ".join(parts)


def line(number: int, item: Any) -> str:
    if isinstance(item, Offer):
        return f"{number}. {item.organisatie}: {item.omschrijving} Meer: {item.link}"
    if isinstance(item, Opportunity):
        deadline = format_date(item.deadline.astimezone(AMSTERDAM), "d MMMM", locale="nl")
        return f"{number}. {item.titel} ({item.opdrachtgever}). Reageren kan tot {deadline}. Meer: {item.link}"
    if isinstance(item, Event):
        where = "online" if item.online else item.locatie
        return f"{number}. {item.titel}: {when(item)}, {where}. Aanmelden: {item.aanmelden}"
    return f"{number}. {item}"


def _notes(items: Sequence[Any], kind: str, melding: Optional[str], noted: bool) -> List[str]:
    """The example-data note (unless ``noted``: said before in this conversation) and a
    feed's warning."""
    notes = []
    if not noted and any(getattr(i, "status", "") == "voorbeeld" for i in items):
        notes.append(EXAMPLE_NOTE.format(what=EXAMPLE_WHAT[kind]))
    if melding:
        notes.append(melding)
    return notes


def example_noted(bot_texts: Sequence[str]) -> bool:
    """Whether the example-data note was said already (``bot_texts``: this conversation's)."""
    return any(EXAMPLE_MARK in (text or "") for text in bot_texts)


def _deadline(item: Opportunity, pattern: str = "d MMMM") -> str:
    return format_date(item.deadline.astimezone(AMSTERDAM), pattern, locale="nl")


def card(number: int, item: Any, catalog: Catalog) -> ResultItem:
    """One result as a card: title, the facts that matter, its link and a detail button."""
    detail = (DETAIL_TITLE, names.payload(names.DETAIL, **{names.ENTITY_RESULT: item.id}))
    if isinstance(item, Offer):
        facts = (
            [catalog.categories[item.categorie].naam]
            if item.categorie in catalog.categories
            else []
        )
        impact = [
            catalog.impact_kinds[i].naam.lower() for i in item.impact if i in catalog.impact_kinds
        ]
        if impact:
            facts.append("Impact: " + ", ".join(impact))
        return ResultItem(
            "offer", item.id, number, item.organisatie, facts, Link("Bekijk", item.link), detail
        )
    if isinstance(item, Opportunity):
        return ResultItem(
            "opportunity",
            item.id,
            number,
            item.titel,
            [f"Reageren kan tot {_deadline(item)}", item.opdrachtgever],
            Link("Reageren", item.link),
            detail,
        )
    where = "Online" if item.online else item.locatie
    return ResultItem(
        "event",
        item.id,
        number,
        item.titel,
        [when(item), where],
        Link("Aanmelden", item.aanmelden),
        detail,
        calendar_path=CALENDAR_PATH.format(id=item.id),
    )


def count(number: int, kind: str) -> str:
    """A Dutch count: "1 opdracht", "2 opdrachten", "0 opdrachten"."""
    return f"{number} {SINGULAR[kind] if number == 1 else NOUNS[kind]}"


def results_reply(
    state: SearchState,
    found: Page,
    catalog: Catalog,
    melding: Optional[str] = None,
    noted: bool = False,
) -> Reply:
    """One page of results, numbered across pages, as cards and as text, with buttons to go on.

    ``noted``: the example-data note was said before in this conversation (say it once).
    """
    assert state.kind is not None  # a search is only shown once its kind is known
    what = describe(state, catalog)
    first = (found.page - 1) * found.size + 1
    if found.page == 1:
        head = f"Ik vond {count(found.total, state.kind)}" + (f" {what}" if what else "") + "."
        if found.total > found.size:
            head += f" Dit zijn de eerste {len(found.items)}:"
    else:
        head = f"Nummer {first} tot en met {first + len(found.items) - 1} van {found.total}:"
    notes = _notes(found.items, state.kind, melding, noted)
    lines = [head] + [line(first + i, item) for i, item in enumerate(found.items)] + notes
    buttons: List[Button] = []
    if found.has_next:
        buttons.append((MORE_TITLE, names.payload(names.MORE)))
    if state.kind == EVENTS and state.online is None:
        buttons.append(("Alleen online", inform_payload(locatie="online")))
    items = [card(first + i, item, catalog) for i, item in enumerate(found.items)]
    return Reply("\n".join(lines), buttons, items=items, intro=head, notes=notes)


def no_more(state: SearchState) -> Reply:
    assert state.kind is not None  # a search is only shown once its kind is known
    return Reply(f"Meer {NOUNS[state.kind]} heb ik niet gevonden. Wil je iets anders zoeken?")


def no_list() -> Reply:
    return Reply(
        "Ik heb nog geen lijst voor je gemaakt. Waar ben je naar op zoek?", ask_kind().buttons
    )


def ask_kind() -> Reply:
    return Reply(
        "Wat zoek je? Kies een van deze mogelijkheden.",
        [
            ("Aanbod van impactondernemers", names.payload(names.SEARCH_OFFERS)),
            ("Opdrachten voor mijn bedrijf", names.payload(names.SEARCH_OPPORTUNITIES)),
            ("Evenementen", names.payload(names.SEARCH_EVENTS)),
        ],
    )


def ask_category(state: SearchState, catalog: Catalog) -> Reply:
    assert state.kind is not None  # asked only when missing(state) == "categorie"
    question = {
        OFFERS: "Wat wil je inkopen? Kies een categorie of typ het zelf.",
        OPPORTUNITIES: "In welke categorie zoek je opdrachten? Kies er een of typ het zelf.",
    }[state.kind]
    buttons = [(c.naam, inform_payload(categorie=c.id)) for c in catalog.categories.values()]
    return Reply(question, buttons)


def no_results(
    state: SearchState, catalog: Catalog, counts_by_category: dict, term: Optional[str] = None
) -> Reply:
    """Say so honestly, offer near alternatives and the helpdesk."""
    assert state.kind is not None  # a search is only shown once its kind is known
    noun = NOUNS[state.kind]
    what = describe(state, catalog)
    lines = [f"Ik vond geen {noun}" + (f" {what}" if what else "") + "."]
    buttons: List[Button] = []
    if state.kind in (OFFERS, OPPORTUNITIES):
        options = [c for c in catalog.categories.values() if counts_by_category.get(c.id)]
        named = nearest(term, options) if term else []
        suggestions = (named or [c.id for c in options])[:3]
        if suggestions:
            lines.append("Misschien heb je hier iets aan:")
            buttons += [
                (catalog.categories[s].naam, inform_payload(categorie=s))
                for s in suggestions
                if s in catalog.categories
            ]
    if state.kind == EVENTS:
        if state.period_label:
            lines.append("Wil je kijken in een langere periode?")
            buttons.append(
                ("Komende drie maanden", inform_payload(periode="de komende drie maanden"))
            )
        if state.online is not None or state.soort:
            buttons.append(("Alle evenementen", names.payload(names.SEARCH_EVENTS)))
    lines.append("Je kunt ook een medewerker van de gemeente om hulp vragen.")
    buttons.append(("Medewerker spreken", names.payload(names.REQUEST_HUMAN)))
    return Reply("\n".join(lines), buttons)


def pick(items: Sequence[Any], position: Optional[int]) -> Optional[Any]:
    """The item a user points at (1-based; LAST for the last one)."""
    if not items or position is None:
        return None
    if position == LAST:
        return items[-1]
    if 1 <= position <= len(items):
        return items[position - 1]
    return None


def detail(item: Any, catalog: Catalog) -> Reply:
    """Everything we know about one item."""
    if isinstance(item, Offer):
        impact = ", ".join(
            catalog.impact_kinds[i].naam.lower() for i in item.impact if i in catalog.impact_kinds
        )
        lines = [
            f"{item.organisatie} ({catalog.categories[item.categorie].naam})",
            item.omschrijving,
        ]
        if impact:
            lines.append(f"Impact: {impact}.")
        if item.certificeringen:
            lines.append("Keurmerken: " + ", ".join(item.certificeringen) + ".")
        lines += [f"Plaats: {item.locatie}.", f"Contact en meer informatie: {item.link}"]
    elif isinstance(item, Opportunity):
        deadline = format_date(item.deadline.astimezone(AMSTERDAM), "EEEE d MMMM y", locale="nl")
        lines = [f"{item.titel}", f"Opdrachtgever: {item.opdrachtgever}."]
        if item.omschrijving:
            lines.append(item.omschrijving)
        lines += [
            f"Reageren kan tot {deadline}.",
            f"Geschatte waarde: {item.waarde}.",
            f"Social return: {item.social_return}.",
            f"Procedure: {item.procedure}.",
            f"Meer informatie: {item.link}",
        ]
    else:
        lines = [
            item.titel,
            f"Wanneer: {when(item)}.",
            "Waar: online." if item.online else f"Waar: {item.locatie}.",
            f"Thema: {item.thema}.",
            f"Organisator: {item.organisator}.",
        ]
        if item.omschrijving:
            lines.append(item.omschrijving)
        lines.append(f"Aanmelden: {item.aanmelden}")
    if getattr(item, "status", "") == "voorbeeld":
        lines.append("Let op: dit is een voorbeeld, geen echte informatie.")
    return Reply("\n".join(lines))


def by_id(catalog: Catalog, item_id: Optional[str]) -> Optional[Any]:
    """The offer, opportunity or event with this id (from a result's detail button)."""
    if not item_id:
        return None
    items: Sequence[Offer | Opportunity | Event] = (
        *catalog.offers,
        *catalog.opportunities,
        *catalog.events,
    )
    for item in items:
        if item.id == item_id:
            return item
    return None


def which_one(count: int) -> Reply:
    """Ask which result the user means; with an empty list there is nothing to choose."""
    if count == 0:
        return Reply(
            "Je laatste zoekopdracht had geen resultaten, dus daar kan ik niets over "
            "vertellen. Wat wil je zoeken?",
            ask_kind().buttons,
        )
    if count == 1:
        return Reply("Welke bedoel je? Er is er maar een: typ 1.")
    return Reply(f"Welke bedoel je? Typ een nummer van 1 tot en met {count}.")


def join_platform(catalog: Catalog, wants: Optional[str]) -> Reply:
    """How to join the platform; ``wants`` is "aanbieder", "inkoper" or None (both)."""
    platform = catalog.platform
    routes = [
        r
        for key, r in (("aanbieder", platform.aanbieder), ("inkoper", platform.inkoper))
        if wants in (None, key)
    ]
    lines = [platform.omschrijving] if wants is None else []
    for route in routes:
        lines.append(f"{route.titel}: {route.tekst}")
    return Reply("\n\n".join(lines))
