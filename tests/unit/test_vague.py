"""Vague one-word messages are clarified, specific ones answered (bot/text/vague.py)."""

import pytest

from bot.text.vague import is_vague


@pytest.mark.parametrize(
    "text",
    ["inkoop", "ik wil meedoen", "duurzaam", "Impact?", "info over inkoop", "sociaal ondernemen"],
)
def test_vague(text):
    assert is_vague(text, "faq")


@pytest.mark.parametrize(
    "text,intent,entities",
    [
        ("wat is lol", "faq", [{"entity": "onderwerp", "value": "lol"}]),
        ("catering", "search_offers", [{"entity": "categorie", "value": "catering"}]),
        ("evenementen", "search_events", []),
        ("hallo", "greet", []),
        ("ja", "affirm", []),
        ("inkoop", "request_human", []),
        ("/faq", "faq", []),
        ("hoe meld ik mijn bedrijf aan voor het inkoopplatform", "join_platform", []),
        ("duurzame catering", "search_offers", []),
    ],
)
def test_specific(text, intent, entities):
    assert not is_vague(text, intent, entities)
