"""matching maps people's words (typos, compounds, plurals) to category, event-kind and impact ids."""

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.matching import (
    FUZZY_THRESHOLD,
    find_in_text,
    nearest,
    normalize,
    resolve,
    vocabulary,
)
from tests.fixtures import FIXTURE_PROGRAMME
from tests.unit.test_periods import NOW

CATALOG = load_catalog(FIXTURE_PROGRAMME, NOW)
CATEGORIES = CATALOG.categories
KINDS = CATALOG.event_kinds
IMPACTS = CATALOG.impact_kinds


@pytest.mark.parametrize(
    "term,expected",
    [
        # exact: id, name, synonym, case and accents
        ("catering", "catering"),
        ("Koffie en thee", "koffie_thee"),
        ("koffie & thee", "koffie_thee"),
        ("ICT", "ict"),
        ("koeriers_logistiek", "koeriers_logistiek"),
        ("Kerstpakketten", "relatiegeschenken"),
        # inflection
        ("hoveniers", "groenonderhoud"),
        ("cateraars", "catering"),
        ("uniformen", "textiel"),
        # compounds: head (end) and modifier (start)
        ("schoonmaakbedrijf", "schoonmaak"),
        ("kantoorschoonmaak", "schoonmaak"),
        ("mantelzorg", "zorg_welzijn"),
        ("kruidenthee", "koffie_thee"),
        ("fietskoeriersbedrijf", "koeriers_logistiek"),
        ("koffiecatering", "catering"),
        ("hoveniersbedrijven", "groenonderhoud"),
        # typos
        ("schoonmaakt", "schoonmaak"),
        ("catring", "catering"),
        ("kerstpaketten", "relatiegeschenken"),
        ("glazewasser", "schoonmaak"),
        ("laptop", "ict"),
        ("texiel", "textiel"),
        ("drukwek", "drukwerk"),
        # several words
        ("relatie geschenken", "relatiegeschenken"),
        ("een cateraar voor ons kantoor", "catering"),
    ],
)
def test_resolve_category(term, expected):
    assert resolve(term, CATEGORIES) == expected


@pytest.mark.parametrize(
    "term",
    [
        "groenten",
        "drukte",
        "zorgvuldig",
        "bakker",
        "auto",
        "",
        "   ",
        "xyz",
        "bibliotheek",
        "een cateraar en een schoonmaker",
    ],
)
def test_resolve_nothing(term):
    assert resolve(term, CATEGORIES) is None


@pytest.mark.parametrize(
    "term,options,expected",
    [
        ("meet the buyer", KINDS, "meet_the_buyer"),
        ("Meet-the-Buyer", KINDS, "meet_the_buyer"),
        ("LOL", KINDS, "lol_sessie"),
        ("lol-sessies", KINDS, "lol_sessie"),
        ("impactdagen", KINDS, "impact_days"),
        ("worksop", KINDS, "workshop"),
        ("netwerkborrels", KINDS, "netwerkbijeenkomst"),
        ("schrijfworkshop", KINDS, "workshop"),
        ("afstand tot de arbeidsmarkt", IMPACTS, "afstand_arbeidsmarkt"),
        ("circulaire", IMPACTS, "circulair"),
        ("duurzaamheid", IMPACTS, "duurzaam"),
        ("duurzam", IMPACTS, "duurzaam"),
        ("Haarlemse", IMPACTS, "lokaal"),
    ],
)
def test_resolve_kinds_and_impact(term, options, expected):
    assert resolve(term, options) == expected


def test_mapping_of_synonyms_works_like_terms():
    options = {"fiets": ["fiets", "fietsen", "rijwiel"], "auto": ["auto", "wagen"]}
    assert resolve("rijwielen", options) == "fiets"
    assert resolve("bakfiets", options) == "fiets"
    assert resolve("wagen", options) == "auto"
    assert resolve("boot", options) is None


def test_threshold_keeps_one_typo_and_rejects_stems():
    from rapidfuzz import fuzz

    assert fuzz.ratio("catring", "catering") >= FUZZY_THRESHOLD
    assert fuzz.ratio("drukte", "drukwerk") < FUZZY_THRESHOLD


def test_nearest_suggests_best_first():
    assert nearest("kofe", CATEGORIES)[0] == "koffie_thee"
    assert nearest("schoonmaken", CATEGORIES, n=3)[0] == "schoonmaak"
    assert len(nearest("zzz", CATEGORIES, n=3)) <= 3
    assert nearest("catering", CATEGORIES, n=1) == ["catering"]
    assert nearest("", CATEGORIES) == []


@pytest.mark.parametrize(
    "text,options,expected",
    [
        (
            "Ik zoek een schoonmaakbedrijf en een cateraar in Haarlem",
            CATEGORIES,
            ["schoonmaak", "catering"],
        ),
        ("hebben jullie kerstpaketten of relatiegeschenken?", CATEGORIES, ["relatiegeschenken"]),
        ("wie schoonmaakt er bij jullie de kantoren", CATEGORIES, ["schoonmaak"]),
        (
            "bedrijfskleding en koffie voor de kantine",
            CATEGORIES,
            ["textiel", "koffie_thee", "catering"],
        ),
        (
            "wanneer is er een meet the buyer of een lol sessie",
            KINDS,
            ["meet_the_buyer", "lol_sessie"],
        ),
        (
            "circulaire koffie van mensen met een afstand tot de arbeidsmarkt",
            IMPACTS,
            ["circulair", "afstand_arbeidsmarkt"],
        ),
        ("ik wil graag iets met groenten doen", CATEGORIES, []),
        ("hallo, goedemorgen, hoe werkt het inkoopplatform?", CATEGORIES, []),
        ("wat is er volgende maand te doen voor sociale ondernemers", KINDS, []),
    ],
)
def test_find_in_text(text, options, expected):
    assert find_in_text(text, options) == expected


def test_normalize_and_cached_vocabulary():
    assert normalize("  Koffie–&  Thée! ") == "koffie thee"
    assert vocabulary(CATEGORIES) is vocabulary(CATEGORIES)


@pytest.mark.parametrize(
    "text,absent",
    [
        # A housing corporation asking for small maintenance: "klein" is not "kleding".
        ("woningcorporatie zoekt klein onderhoud en klusjes", "textiel"),
        ("wij zijn een klein drukkerijbedrijf en zoeken opdrachten", "textiel"),
        # "bedrijf" and words that start like it never pull in "bedrijfskleding".
        ("ons bedrijf zoekt opdrachten", "textiel"),
        ("iets voor het bedrijfsleven", "textiel"),
        ("een bedrijfsuitje voor ons team", "textiel"),
        ("wij bouwen ruimteraketten als sociaal bedrijf", "textiel"),
    ],
)
def test_ordinary_words_never_pull_in_a_category(text, absent):
    assert absent not in find_in_text(text, CATEGORIES.values())


@pytest.mark.parametrize(
    "term,expected",
    [("catring", "catering"), ("schoonmaakt", "schoonmaak"), ("drukwerkk", "drukwerk")],
)
def test_one_typo_still_finds_the_category(term, expected):
    assert resolve(term, CATEGORIES.values()) == expected


@pytest.mark.parametrize("term", ["klein", "kleine", "groot", "kleden"])
def test_two_edits_away_is_another_word_not_a_typo(term):
    assert resolve(term, CATEGORIES.values()) is None


@pytest.mark.parametrize(
    "text,expected",
    [("zijn er zorgopdrachten", "zorg_welzijn"), ("kansen voor mijn theehandel", "koffie_thee")],
)
def test_a_short_category_word_before_a_generic_head_is_a_compound(text, expected):
    assert find_in_text(text, CATEGORIES.values()) == [expected]


@pytest.mark.parametrize("text", ["zorgvuldig werken", "een theelichtje"])
def test_a_short_word_before_anything_else_is_not(text):
    assert find_in_text(text, CATEGORIES.values()) == []


LEXICON_OPTIONS = {
    "textiel": ["tassen", "kleding"],
    "groen": ["plantsoen", "maaien"],
    "drukwerk": ["drukken", "drukwerk"],
    "koffie_thee": ["thee"],
}


@pytest.mark.parametrize(
    "text,found",
    [
        # Real Dutch words are no typos of a synonym.
        ("de post tussen onze locaties", []),
        ("het plaatsen van laadpalen", []),
        # Typos still are.
        ("plantsoeen bijhouden", ["groen"]),
        # Verb forms by their lemma.
        ("de bermen moeten gemaaid worden", ["groen"]),
        ("wie drukt onze menukaarten", ["drukwerk"]),
        # A short modifier before a business head.
        ("ik heb een theeblenderij", ["koffie_thee"]),
    ],
)
def test_known_words_lemmas_and_business_heads(text, found):
    assert find_in_text(text, LEXICON_OPTIONS) == found


@pytest.mark.parametrize(
    "word,base",
    [("tuinbedrijfke", "tuinbedrijf"), ("geschenkske", "geschenk"), ("bedrijfkes", "bedrijf")],
)
def test_the_flemish_diminutive_is_stripped(word, base):
    from bot.catalog.matching import stem

    assert stem(word) == base
