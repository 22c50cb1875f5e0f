"""Vague one-word messages are clarified, specific ones answered (bot/text/vague.py)."""

import pytest

from bot import names
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


@pytest.mark.parametrize(
    "text", ["advies", "Ondersteuning.", "verkopn", "ik zoek hulp", "vraagske"]
)
def test_more_vague_words_and_a_typo_of_one(text):
    assert is_vague(text, "nlu_fallback")


def test_a_vague_word_read_as_an_answer_is_still_vague_but_a_role_is_not():
    assert is_vague("netwerk", names.INFORM)
    assert not is_vague("inkoper", names.INFORM)
    assert not is_vague("catering", names.INFORM)
