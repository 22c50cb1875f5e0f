"""Search conversations through the running Rasa server and action server."""

import time
import uuid

import pytest

from tests.conftest import offers_feed_body

pytestmark = pytest.mark.servers


def sender() -> str:
    return f"search-{uuid.uuid4().hex[:12]}"


def say(rasa_server, who: str, text: str):
    messages = rasa_server.say(who, text)
    return "\n\n".join(m.get("text", "") for m in messages), [
        b for m in messages for b in m.get("buttons", [])
    ]


def numbered(text: str):
    return [line for line in text.splitlines() if line[:3].rstrip(". ").isdigit()]


def test_offer_search_with_filters(rasa_server):
    text, _ = say(
        rasa_server,
        sender(),
        "ik zoek een cateraar die mensen met een afstand tot de arbeidsmarkt in dienst heeft",
    )
    assert "voor catering" in text and "Ik vond geen" not in text
    assert "afstand tot de arbeidsmarkt" in text
    assert numbered(text) and "https://" in numbered(text)[0]


def test_offer_search_without_filter_asks_with_buttons_then_free_answer(rasa_server):
    who = sender()
    text, buttons = say(rasa_server, who, "ik ben op zoek naar een leverancier met impact")
    assert "Kies een categorie" in text
    assert any(b["title"] == "Schoonmaak" for b in buttons)
    text, _ = say(rasa_server, who, "schoonmaak graag")
    assert "aanbieders voor schoonmaak" in text


def test_button_payload_answers_the_question(rasa_server):
    who = sender()
    say(rasa_server, who, "ik zoek een leverancier met impact")
    text, _ = say(rasa_server, who, '/inform{"categorie": "drukwerk"}')
    assert "aanbieders voor drukwerk" in text


def test_opportunities_with_category(rasa_server):
    text, _ = say(rasa_server, sender(), "welke inkoopvragen staan er open voor schoonmaak?")
    # The fixture data has one open schoonmaak opportunity: it must be listed.
    assert "opdracht voor schoonmaak" in text and "geen opdrachten" not in text
    assert len(numbered(text)) >= 1 and "https://" in numbered(text)[0]


def test_events_paging_ordinal_and_refinement(rasa_server):
    who = sender()
    first, buttons = say(rasa_server, who, "welke evenementen zijn er de komende maanden")
    assert numbered(first)[0].startswith("1. ")
    assert any(b["payload"] == "/more" for b in buttons)
    more, _ = say(rasa_server, who, "meer")
    assert numbered(more)[0].startswith("4. ")
    second_title = numbered(first)[1][3:].split(":")[0]
    detail, _ = say(rasa_server, who, "vertel meer over de tweede")
    assert detail.startswith(second_title)
    online, _ = say(rasa_server, who, "welke daarvan zijn online?")
    assert numbered(online) and all(", online." in line for line in numbered(online))


def test_events_in_a_period_then_another_period(rasa_server):
    who = sender()
    text, _ = say(rasa_server, who, "wat is er volgende maand?")
    assert "volgende maand" in text
    text, _ = say(rasa_server, who, "en in april?")
    assert "in april" in text


def test_no_results_is_honest_and_offers_a_longer_period_and_helpdesk(rasa_server):
    who = sender()
    text, buttons = say(rasa_server, who, "zijn er evenementen in juli 2099?")
    assert text.startswith("Ik vond geen evenementen")
    assert any(b["payload"] == "/request_human" for b in buttons)
    longer = next(b["payload"] for b in buttons if b["title"] == "Komende drie maanden")
    text, _ = say(rasa_server, who, longer)
    assert text.startswith("Ik vond ") and "de komende drie maanden" in text


def test_join_platform(rasa_server):
    text, _ = say(rasa_server, sender(), "hoe kan ik mijn aanbod op het inkoopplatform zetten?")
    # The supplier's route of the platform data, not the buyer's, nor a generic contact answer.
    assert "Aanbod plaatsen (als ondernemer)" in text
    assert "Vraag plaatsen (als inkoper)" not in text


def test_source_down_answer_says_it_uses_older_data(rasa_server, feed_server):
    who = sender()
    fresh, _ = say(rasa_server, who, "ik zoek een schoonmaakbedrijf")
    assert "niet bereikbaar" not in fresh
    feed_server.serve("/offers.json", b"server error", status=500)
    try:
        time.sleep(1.5)  # past FEED_TTL_SECONDS=1
        started = time.monotonic()
        stale, _ = say(rasa_server, sender(), "ik zoek een schoonmaakbedrijf")
        assert time.monotonic() - started < 5
        assert "aanbieders voor schoonmaak" in stale
        assert "de actuele lijst is nu niet bereikbaar" in stale
    finally:
        feed_server.serve("/offers.json", offers_feed_body())
