"""The search conversation logic without Rasa: filters, state, replies, ordinals."""

from datetime import datetime

import pytest

from bot.catalog import replies
from bot.catalog.dialogue import (
    EVENTS,
    OFFERS,
    OPPORTUNITIES,
    SearchState,
    extract_filters,
    matching_items,
    missing,
    next_state,
    platform_role,
)
from bot.catalog.loader import load_catalog
from bot.catalog.ordinals import LAST, parse_ordinal
from bot.catalog.schema import AMSTERDAM
from bot.catalog.search import CatalogIndex, page
from tests.fixtures import FIXTURE_PROGRAMME

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=AMSTERDAM)
CATALOG = load_catalog(FIXTURE_PROGRAMME, NOW)
INDEX = CatalogIndex(CATALOG)


def state_after(*turns, previous=None):
    state = previous
    for intent, text in turns:
        state = next_state(intent, extract_filters(text, [], CATALOG, NOW), state)
    return state


@pytest.mark.parametrize(
    "text, ordinal",
    [
        ("vertel meer over de tweede", 2),
        ("nummer 3", 3),
        ("nr. 2", 2),
        ("de laatste", LAST),
        ("info over de 3e", 3),
        ("ik kies nummer twee", 2),
        ("2", 2),
        ("eerste", 1),
        ("wat is er volgende week", None),
        ("om 12:30", None),
        ("een lijst", None),
    ],
)
def test_parse_ordinal(text, ordinal):
    assert parse_ordinal(text) == ordinal


def test_filters_from_a_free_sentence():
    filters = extract_filters(
        "ik zoek een cateraar die mensen met een afstand tot de arbeidsmarkt in dienst heeft",
        [],
        CATALOG,
        NOW,
    )
    assert (filters.categorie, filters.impact) == ("catering", "afstand_arbeidsmarkt")
    assert filters.period is None and filters.online is None


def test_entities_win_and_are_resolved_to_ids():
    entities = [
        {"entity": "categorie", "value": "drukkerijen"},
        {"entity": "locatie", "value": "online"},
    ]
    filters = extract_filters("iets anders", entities, CATALOG, NOW)
    assert filters.categorie == "drukwerk" and filters.online is True


def test_new_search_carries_category_between_offers_and_opportunities():
    state = state_after(
        ("search_offers", "ik zoek schoonmaak"),
        ("search_opportunities", "en zijn er ook opdrachten?"),
    )
    assert (state.kind, state.categorie) == (OPPORTUNITIES, "schoonmaak")
    events = state_after(("search_events", "en evenementen?"), previous=state)
    assert (events.kind, events.categorie) == (EVENTS, None)


def test_refinement_keeps_filters_and_resets_page():
    state = state_after(("search_events", "wat is er volgende maand"))
    state = SearchState(**{**state.to_slot(), "page": 2})
    refined = state_after(("inform", "welke daarvan zijn online?"), previous=state)
    assert refined.online is True and refined.period_label == "volgende maand"
    assert refined.page == 1
    other = state_after(("inform", "en in april?"), previous=refined)
    assert other.period_label == "in april" and other.online is True


def test_inform_without_search_starts_events_or_asks_kind():
    assert state_after(("inform", "volgende week")).kind == EVENTS
    assert missing(state_after(("inform", "schoonmaak"))) == "kind"


@pytest.mark.parametrize(
    "intent, text, question",
    [
        ("search_offers", "ik zoek een leverancier", "categorie"),
        ("search_offers", "iets circulairs graag", None),
        ("search_opportunities", "welke opdrachten zijn er", "categorie"),
        ("search_events", "wat is er te doen", None),
    ],
)
def test_missing_information(intent, text, question):
    assert missing(state_after((intent, text))) == question


def test_slot_round_trip_and_bad_slot():
    state = state_after(("search_events", "workshops in maart"))
    assert SearchState.from_slot(state.to_slot()) == state
    assert state.period.label == "in maart"
    assert SearchState.from_slot("kapot") is None
    assert SearchState.from_slot({"kind": EVENTS, "onbekend": 1}).kind == EVENTS


def test_results_reply_numbers_across_pages_and_marks_examples():
    state = state_after(("search_events", "welke evenementen zijn er"))
    items = matching_items(state, INDEX, NOW)
    first = replies.results_reply(state, page(items, 1), CATALOG)
    second = replies.results_reply(state, page(items, 2), CATALOG)
    assert first.text.splitlines()[0] == f"Ik vond {len(items)} evenementen. Dit zijn de eerste 3:"
    assert second.text.splitlines()[1].startswith("4. ")
    assert "voorbeeldgegevens" in first.text
    assert ("Toon meer", "/more") in first.buttons
    assert "Typ" not in first.text  # buttons, not instructions
    # Cards: numbered across pages, each with its link, a detail button and (events) a calendar.
    assert [i.number for i in second.items] == [4, 5, 6][: len(second.items)]
    card = first.items[0]
    assert card.kind == "event" and card.link.title == "Aanmelden"
    assert card.detail == ("Meer hierover", f'/detail{{"resultaat": "{items[0].id}"}}')
    assert card.calendar_path == f"/webchat/agenda/{items[0].id}.ics"
    assert card.facts == [replies.when(items[0]), "Online" if items[0].online else items[0].locatie]
    assert first.notes and first.notes[0] in first.text


def test_example_note_is_said_once_per_conversation():
    state = state_after(("search_events", "welke evenementen zijn er"))
    found = page(matching_items(state, INDEX, NOW), 1)
    first = replies.results_reply(state, found, CATALOG, noted=replies.example_noted([]))
    assert replies.example_noted(["Hoi!", first.text])
    again = replies.results_reply(state, found, CATALOG, noted=replies.example_noted([first.text]))
    assert "voorbeeldgegevens" not in again.text and not again.notes


def test_cards_of_offers_and_opportunities():
    offers = INDEX.offers()
    reply = replies.results_reply(SearchState(kind=OFFERS), page(offers, 1), CATALOG)
    offer = reply.items[0]
    assert (offer.kind, offer.title, offer.link) == (
        "offer",
        offers[0].organisatie,
        replies.Link("Bekijk", offers[0].link),
    )
    assert offer.facts[0] == CATALOG.categories[offers[0].categorie].naam
    assert offer.calendar_path is None
    opportunities = INDEX.opportunities(now=NOW)
    reply = replies.results_reply(SearchState(kind=OPPORTUNITIES), page(opportunities, 1), CATALOG)
    item = reply.items[0]
    assert item.link.title == "Reageren" and item.facts[0].startswith("Reageren kan tot ")
    assert replies.by_id(CATALOG, item.id) == opportunities[0]
    assert replies.by_id(CATALOG, "bestaat-niet") is None


def test_no_results_suggests_categories_that_have_items():
    state = SearchState(kind=OPPORTUNITIES, categorie="textiel")
    counts = {"schoonmaak": 2, "ict": 1}
    reply = replies.no_results(state, CATALOG, counts, "textiel")
    assert reply.text.startswith("Ik vond geen opdrachten voor textiel")
    payloads = [p for _, p in reply.buttons]
    assert '/inform{"categorie": "schoonmaak"}' in payloads
    assert '/inform{"categorie": "textiel"}' not in payloads
    assert payloads[-1] == "/request_human"


def test_detail_and_pick():
    offers = matching_items(SearchState(kind=OFFERS, categorie="catering"), INDEX, NOW)
    assert replies.pick(offers, LAST) is offers[-1]
    assert replies.pick(offers, 99) is None
    text = replies.detail(offers[0], CATALOG).text
    assert text.startswith(offers[0].organisatie) and offers[0].link in text


@pytest.mark.parametrize(
    "text, role",
    [
        ("ik wil een inkoopvraag plaatsen", "inkoper"),
        ("hoe zet ik mijn aanbod erop", "aanbieder"),
        ("hoe doe ik mee", None),
    ],
)
def test_platform_role(text, role):
    assert platform_role(text) == role


def test_which_one_after_an_empty_list_does_not_ask_for_an_impossible_number():
    empty = replies.which_one(0)
    assert "1 tot en met 0" not in empty.text and "geen resultaten" in empty.text
    assert empty.buttons  # a way on: what to search
    assert "1 tot en met 3" in replies.which_one(3).text
