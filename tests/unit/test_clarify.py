"""Two-step recovery: "Bedoel je ...?", rephrase, helpdesk offer (bot.text.clarify)."""

import pytest

from bot import names
from bot.text import clarify

TITLES = {"lol": "LOL (Live Online Learning)", "pso": "PSO", "social_return": "Social return"}


def ranking(*pairs):
    return [{"name": n, "confidence": c} for n, c in pairs]


def faq_ranking(*pairs):
    return [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in pairs]


def test_candidates_keep_search_filters_and_skip_small_talk():
    buttons = clarify.candidates(
        ranking(("greet", 0.4), ("search_offers", 0.3), ("search_opportunities", 0.2)),
        [],
        TITLES,
        [{"entity": "categorie", "value": "catering"}, {"entity": "onderwerp", "value": "lol"}],
    )
    assert buttons == [
        ("Inkopen bij impactondernemers", '/search_offers{"categorie": "catering"}'),
        ("Opdrachten zoeken voor mijn bedrijf", '/search_opportunities{"categorie": "catering"}'),
    ]


def test_faq_becomes_its_likeliest_topics_and_at_most_three_choices():
    buttons = clarify.candidates(
        ranking(("faq", 0.45), ("join_platform", 0.3), ("help", 0.2)),
        faq_ranking(("pso", 0.5), ("social_return", 0.4), ("lol", 0.05)),
        TITLES,
    )
    assert buttons == [
        ("PSO", '/faq{"onderwerp": "pso"}'),
        ("Social return", '/faq{"onderwerp": "social_return"}'),
        ("Aanmelden op het inkoopplatform", "/join_platform"),
    ]


def test_unlikely_meanings_are_not_offered():
    assert clarify.candidates(ranking(("help", 0.05)), [], TITLES) == []


def test_first_miss_asks_which_meaning_with_something_else():
    reply = clarify.recover(names.NLU_FALLBACK, None, [("PSO", "/faq")])
    assert reply.text.endswith("Bedoel je een van deze?")
    assert reply.buttons[-1] == ("Iets anders", "/deny")
    assert reply.step == clarify.CLARIFY


def test_something_else_asks_to_rephrase_then_second_miss_offers_helpdesk():
    rephrase = clarify.recover(names.DENY, clarify.CLARIFY, [])
    assert "andere woorden" in rephrase.text and rephrase.step == clarify.REPHRASE
    offer = clarify.recover(names.NLU_FALLBACK, clarify.REPHRASE, [("PSO", "/faq")])
    assert offer.response == names.UTTER_FALLBACK and offer.step == clarify.OFFER


def test_second_miss_after_a_choice_offers_helpdesk():
    offer = clarify.recover(names.NLU_FALLBACK, clarify.CLARIFY, [("PSO", "/faq")])
    assert offer.response == names.UTTER_FALLBACK


def test_no_outside_recovery_is_just_no():
    assert clarify.recover(names.DENY, None, []).response == names.UTTER_ANYTHING_ELSE
    assert clarify.recover(names.DENY, clarify.OFFER, []).response == names.UTTER_ANYTHING_ELSE


def test_no_candidates_asks_to_rephrase():
    assert clarify.recover(names.NLU_FALLBACK, None, []).step == clarify.REPHRASE


def events(*items):
    return [
        {"event": kind, "name": name} if kind == "action" else {"event": kind}
        for kind, name in items
    ]


def test_previous_step_counts_only_right_after_the_action_that_set_it():
    turn = events(
        ("user", None), ("action", "action_fallback"), ("action", "action_listen"), ("user", None)
    )
    assert clarify.previous_step(turn, clarify.CLARIFY, ["action_fallback"]) == clarify.CLARIFY
    later = events(
        ("user", None),
        ("action", "action_fallback"),
        ("action", "action_listen"),
        ("user", None),
        ("action", "utter_greet"),
        ("action", "action_listen"),
        ("user", None),
    )
    assert clarify.previous_step(later, clarify.CLARIFY, ["action_fallback"]) is None
    assert clarify.previous_step(turn, None, ["action_fallback"]) is None


def test_a_confident_answer_offers_plausible_runner_up_topics_only():
    related = clarify.related_topics(
        faq_ranking(("lol", 0.6), ("pso", 0.25), ("unknown", 0.2), ("social_return", 0.05)),
        "lol",
        TITLES,
    )
    assert related == [("PSO", '/faq{"onderwerp": "pso"}')]
    assert clarify.related_topics(faq_ranking(("lol", 0.95), ("pso", 0.04)), "lol", TITLES) == []
    # the answered topic is never offered again, and at most two are offered
    many = faq_ranking(("pso", 0.3), ("lol", 0.3), ("social_return", 0.3))
    assert [t for t, _ in clarify.related_topics(many, "pso", TITLES)] == [
        "LOL (Live Online Learning)",
        "Social return",
    ]


@pytest.mark.parametrize(
    "text", ["ja", "Ja, dat is goed", "jazeker", "graag", "/affirm", "oké doe maar"]
)
def test_consent_is_given_in_words(text):
    from bot.handoff.contact import is_clear_yes

    assert is_clear_yes(text)


@pytest.mark.parametrize("text", ["jan", "Jan de Vries", "janneke", "nee", "wat is lol"])
def test_a_name_is_not_consent(text):
    from bot.handoff.contact import is_clear_yes

    assert not is_clear_yes(text)
