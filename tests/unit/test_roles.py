"""Roles (buyer or seller), unknown category words, Dutch counts."""

import pytest

from bot.catalog import roles
from bot.catalog.dialogue import EVENTS, OFFERS, OPPORTUNITIES
from bot.catalog.replies import count

CATEGORIES = {
    "catering": ["catering", "cateraar", "lunch"],
    "textiel": ["textiel", "bedrijfskleding", "werkkleding", "kleding"],
    "koeriers_logistiek": ["koerier", "koeriers", "verhuisbedrijf", "logistiek"],
    "schoonmaak": ["schoonmaak", "schoonmaakbedrijf", "glazenwasser"],
}


@pytest.mark.parametrize(
    "intent, text, conflict",
    [
        ("search_offers", "ik wil leverancier worden van de gemeente haarlem", True),
        ("search_offers", "ik heb een cateringbedrijf en wil aan de gemeente verkopen", True),
        ("search_offers", "wij zoeken een cateraar voor onze lunch", False),
        ("search_opportunities", "zijn er aanbestedingen voor schoonmaak", False),
        (
            "search_opportunities",
            "wij willen inkopen bij een sociale cateraar, wie levert dat",
            True,
        ),
        ("search_events", "ik wil leverancier worden", False),
    ],
)
def test_role_conflict(intent, text, conflict):
    assert roles.role_conflict(intent, text) is conflict


def test_role_choices_carry_the_category():
    titles = [t for t, _ in roles.role_choices("catering")]
    assert titles[1] == "Ik zoek opdrachten voor mijn bedrijf"
    assert roles.role_choices("catering")[0][1] == '/search_offers{"categorie": "catering"}'


@pytest.mark.parametrize(
    "text, word",
    [
        ("ik zoek ruimteraketten", "ruimteraketten"),
        ("wie levert ruimteraketten voor ons kantoor", "ruimteraketten"),
        ("ik zoek een cateraar", None),
        ("ik zoek een leverancier", None),
        ("zijn er opdrachten voor mijn bedrijf", None),
    ],
)
def test_unknown_category_word(text, word):
    assert roles.unknown_category_word(text, CATEGORIES) == word


def test_similar_categories_need_strong_evidence():
    assert roles.similar_categories("cateraars", CATEGORIES) == ["catering"]
    assert roles.similar_categories("ruimteraketten", CATEGORIES) == []
    assert "textiel" not in roles.similar_categories("bouwbedrijf", CATEGORIES)


@pytest.mark.parametrize(
    "number, kind, text",
    [
        (1, OPPORTUNITIES, "1 opdracht"),
        (2, OPPORTUNITIES, "2 opdrachten"),
        (0, OPPORTUNITIES, "0 opdrachten"),
        (1, OFFERS, "1 aanbieder"),
        (1, EVENTS, "1 evenement"),
        (3, EVENTS, "3 evenementen"),
    ],
)
def test_dutch_counts(number, kind, text):
    assert count(number, kind) == text


@pytest.mark.parametrize(
    "text,word",
    [
        ("wij bouwen ruimteraketten als sociale onderneming", "ruimteraketten"),
        ("woningcorporatie zoekt klein onderhoud en klusjes", "onderhoud"),
        ("heeft de gemeente opdrachten voor een fotograaf", "fotograaf"),
    ],
)
def test_an_unknown_product_is_named_honestly(text, word):
    from bot.catalog.roles import unknown_category_word

    assert unknown_category_word(text, CATEGORIES) == word


@pytest.mark.parametrize(
    "text",
    [
        "zijn er opdrachten van de gemeente voor mijn bedrijf",
        "welke inkoopvragen zijn er in kennemerland",
        "zijn er aanbestedingen voor een sociale onderneming",
    ],
)
def test_search_words_are_not_taken_for_a_product(text):
    from bot.catalog.roles import unknown_category_word

    assert unknown_category_word(text, CATEGORIES) is None
