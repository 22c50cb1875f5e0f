"""Typed answers to the buttons of the bot's last question (bot/text/button_answer.py)."""

import pytest

from bot.text.button_answer import choose, last_question_buttons

MEANINGS = [
    {"title": "Inkopen bij impactondernemers", "payload": "/search_offers"},
    {"title": "Opdrachten zoeken voor mijn bedrijf", "payload": "/search_opportunities"},
    {"title": "Aanmelden op het inkoopplatform", "payload": "/join_platform"},
    {"title": "Iets anders", "payload": "/deny"},
]


@pytest.mark.parametrize(
    "text,payload",
    [
        ("de tweede", "/search_opportunities"),
        ("nummer 3", "/join_platform"),
        ("2", "/search_opportunities"),
        ("de laatste", "/deny"),
        ("opdrachten", "/search_opportunities"),
        ("opdrachtn zoeken", "/search_opportunities"),  # a typo
        ("inkopen", "/search_offers"),
        ("aanmelden graag", "/join_platform"),
        ("iets anders", "/deny"),
    ],
)
def test_a_choice_in_words(text, payload):
    assert choose(text, MEANINGS) == payload


@pytest.mark.parametrize(
    "text",
    [
        "ik wil graag opdrachten vinden voor mijn bedrijf in haarlem en omgeving",  # a sentence
        "wat is lol",
        "/affirm",
        "",
        "de",
        "nummer 9",
    ],
)
def test_anything_else_is_an_ordinary_message(text):
    assert choose(text, MEANINGS) is None


def test_ordinals_after_search_results_mean_the_results():
    assert choose("de tweede", MEANINGS, ordinals=False) is None
    events = [
        {"event": "user", "text": "catering"},
        {"event": "bot", "data": {"custom": {"cards": []}, "buttons": MEANINGS[:2]}},
    ]
    shown = last_question_buttons(events)
    assert shown["results"] and len(shown["buttons"]) == 2


def test_a_name_at_the_consent_question_is_not_a_choice():
    consent = [
        {"title": "Ja, dat is goed", "payload": "/affirm"},
        {"title": "Nee, liever niet", "payload": "/deny"},
    ]
    assert choose("Jan de Vries", consent) is None
    assert choose("liever niet", consent) == "/deny"
