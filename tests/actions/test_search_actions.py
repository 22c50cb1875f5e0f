"""Search actions against rasa_sdk's Tracker and CollectingDispatcher, on the embedded data."""

import asyncio
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.data import live_catalog
from actions.search import (
    SLOT,
    ActionJoinPlatform,
    ActionSearch,
    ActionSearchDetail,
    ActionSearchMore,
)
from bot.catalog.dialogue import OFFERS
from bot.catalog.replies import count


def make_tracker(
    text: str,
    intent: str,
    state: Optional[Dict[str, Any]] = None,
    entities: Optional[List[dict]] = None,
    events: Optional[List[dict]] = None,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
    }
    return Tracker("tester", {SLOT: state}, latest, events or [], False, None, {}, "action_listen")


def run(action, trk: Tracker) -> Tuple[List[dict], Optional[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    state = next((e["value"] for e in events if e.get("name") == SLOT), trk.get_slot(SLOT))
    return dispatcher.messages, state


def test_offer_search_with_category_and_impact():
    [message], state = run(
        ActionSearch(),
        make_tracker(
            "ik zoek een cateraar die mensen met een afstand tot de arbeidsmarkt in dienst heeft",
            "search_offers",
        ),
    )
    assert state["categorie"] == "catering" and state["impact"] == "afstand_arbeidsmarkt"
    expected = [
        o
        for o in live_catalog().catalog.offers
        if o.categorie == "catering" and "afstand_arbeidsmarkt" in o.impact
    ]
    assert message["text"].startswith(f"Ik vond {count(len(expected), OFFERS)} voor catering")
    assert expected[0].organisatie in message["text"] and expected[0].link in message["text"]
    assert "voorbeeldgegevens" in message["text"]


def test_missing_category_is_asked_with_buttons_from_the_data():
    [message], state = run(ActionSearch(), make_tracker("ik zoek een leverancier", "search_offers"))
    titles = [b["title"] for b in message["buttons"]]
    assert titles == [c.naam for c in live_catalog().catalog.categories.values()]
    assert message["buttons"][0]["payload"].startswith('/inform{"categorie"')
    # A free sentence answers the question as well as a button.
    [answer], state = run(ActionSearch(), make_tracker("iets met schoonmaakt", "inform", state))
    assert state["categorie"] == "schoonmaak"
    assert "voor schoonmaak" in answer["text"]


def test_paging_and_ordinal_follow_up():
    [first], state = run(ActionSearch(), make_tracker("welke evenementen zijn er", "search_events"))
    assert first["text"].splitlines()[1].startswith("1. ")
    assert {"title": "Toon meer", "payload": "/more"} in first["buttons"]
    assert {
        "title": "Meer over 1",
        "payload": first["custom"]["ioc_results"]["items"][0]["details"]["payload"],
    } in first["buttons"]
    [second], state = run(ActionSearchMore(), make_tracker("meer", "more", state))
    assert state["page"] == 2
    assert second["text"].splitlines()[1].startswith("4. ")
    fourth_title = second["text"].splitlines()[1][3:].split(":")[0]
    [detail], _ = run(
        ActionSearchDetail(), make_tracker("vertel meer over de vierde", "detail", state)
    )
    assert detail["text"].startswith(fourth_title)
    assert "Aanmelden: https://" in detail["text"]


def test_refinement_keeps_the_search_and_adds_a_filter():
    _, state = run(ActionSearch(), make_tracker("wat is er de komende maanden", "search_events"))
    [message], refined = run(
        ActionSearch(), make_tracker("welke daarvan zijn online?", "inform", state)
    )
    assert refined["online"] is True and refined["period_label"] == state["period_label"]
    lines = [ln for ln in message["text"].splitlines() if ln[:2].rstrip(".").isdigit()]
    assert lines and all(", online." in ln for ln in lines)


def test_no_results_are_honest_and_offer_alternatives_and_helpdesk():
    [message], _ = run(
        ActionSearch(), make_tracker("zijn er online workshops in juli 2099", "search_events")
    )
    assert message["text"].startswith("Ik vond geen evenementen")
    payloads = [b["payload"] for b in message["buttons"]]
    assert "/request_human" in payloads


def test_more_or_detail_without_a_list():
    [message], _ = run(ActionSearchMore(), make_tracker("meer", "more"))
    assert "nog geen lijst" in message["text"]
    [message], _ = run(ActionSearchDetail(), make_tracker("de tweede", "detail"))
    assert "nog geen lijst" in message["text"]


def test_join_platform_route_by_role():
    [message], _ = run(
        ActionJoinPlatform(), make_tracker("ik wil een inkoopvraag plaatsen", "join_platform")
    )
    platform = live_catalog().catalog.platform
    assert platform.inkoper.tekst in message["text"]
    assert platform.aanbieder.tekst not in message["text"]


def test_results_carry_cards_and_the_example_note_is_said_once():
    [first], state = run(ActionSearch(), make_tracker("welke evenementen zijn er", "search_events"))
    cards = first["custom"]["ioc_results"]
    assert [c["number"] for c in cards["items"]] == [1, 2, 3]
    assert all(c["calendar"].startswith("/webchat/agenda/") for c in cards["items"])
    assert "voorbeeldgegevens" in first["text"] and cards["notes"]
    said = [{"event": "bot", "text": first["text"]}]
    [second], _ = run(ActionSearchMore(), make_tracker("meer", "more", state, events=said))
    assert "voorbeeldgegevens" not in second["text"]
    assert not second["custom"]["ioc_results"]["notes"]
    # A new session says it again.
    restarted = said + [{"event": "session_started"}]
    [third], _ = run(ActionSearchMore(), make_tracker("meer", "more", state, events=restarted))
    assert "voorbeeldgegevens" in third["text"]


def test_detail_button_picks_the_result_by_id_even_after_another_search():
    [events], _ = run(ActionSearch(), make_tracker("welke evenementen zijn er", "search_events"))
    card = events["custom"]["ioc_results"]["items"][1]
    _, offers_state = run(ActionSearch(), make_tracker("ik zoek catering", "search_offers"))
    entity = [{"entity": "resultaat", "value": card["id"]}]
    [detail], _ = run(
        ActionSearchDetail(),
        make_tracker(card["details"]["payload"], "detail", offers_state, entities=entity),
    )
    assert detail["text"].startswith(card["title"])
    # An id that does not exist (any more) falls back to asking which one.
    [unknown], _ = run(
        ActionSearchDetail(),
        make_tracker(
            "/detail", "detail", offers_state, entities=[{"entity": "resultaat", "value": "weg"}]
        ),
    )
    assert "Welke bedoel je?" in unknown["text"]


def test_seller_asking_as_buyer_is_asked_which_role():
    [message], state = run(
        ActionSearch(),
        make_tracker("ik wil leverancier worden van de gemeente voor catering", "search_offers"),
    )
    assert message["text"].startswith("Wil je inkopen bij impactondernemers")
    assert [b["payload"] for b in message["buttons"]] == [
        '/search_offers{"categorie": "catering"}',
        '/search_opportunities{"categorie": "catering"}',
        "/join_platform",
    ]
    assert state is None
    # The choice answers right away, with the category of the first message.
    entities = [{"entity": "categorie", "value": "catering"}]
    [answer], state = run(
        ActionSearch(),
        make_tracker(
            '/search_opportunities{"categorie": "catering"}',
            "search_opportunities",
            entities=entities,
        ),
    )
    assert state["kind"] == "opdrachten" and state["categorie"] == "catering"
    assert answer["text"].startswith("Ik vond ")


def test_unknown_category_is_said_honestly_with_a_way_out():
    [message], _ = run(ActionSearch(), make_tracker("ik zoek ruimteraketten", "search_offers"))
    assert message["text"].startswith("Ik vond geen categorie 'ruimteraketten'.")
    assert message["buttons"][-1]["payload"] == "/request_human"


def test_unknown_category_with_a_near_one_asks_bedoel_je():
    [message], _ = run(ActionSearch(), make_tracker("ik zoek tuinieren", "search_offers"))
    assert message["text"] == "Ik vond geen categorie 'tuinieren'. Bedoel je een van deze?"
    assert message["buttons"][0]["payload"] == '/inform{"categorie": "groenonderhoud"}'
    assert message["buttons"][-1] == {"title": "Iets anders", "payload": "/deny"}


def test_a_bedrijf_compound_is_not_read_as_bedrijfskleding():
    [message], state = run(
        ActionSearch(),
        make_tracker("zijn er opdrachten voor mijn installatiebedrijf", "search_opportunities"),
    )
    assert state.get("categorie") is None
    assert "textiel" not in message["text"].lower()
