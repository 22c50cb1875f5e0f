"""Another municipality's programme and job seeking are out of scope (bot/text/scope.py)."""

import pytest

from bot.text.scope import out_of_scope_reason


@pytest.mark.parametrize(
    "text,reason",
    [
        ("heeft amsterdam ook zo'n programma", "other_place"),
        ("wat doet de stad Gent voor de sociale economie?", "other_place"),
        ("Wat doet Den Haag voor sociale ondernemers", "other_place"),
        ("Ik zoek een baan bij de gemeente Haarlem.", "job"),
        ("zijn er vacatures voor inkoper bij de gemeente", "job"),
        ("ik wil bij de gemeente werken als beleidsmedewerker", "job"),
    ],
)
def test_out_of_scope(text, reason):
    assert out_of_scope_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "Heeft de gemeente werk voor mijn bedrijf?",
        "Ik kom uit Amsterdam maar wil leveren aan Haarlem",
        "ik zoek opdrachten in heemstede",
        "wat is LOL",
        "op den duur wil ik groeien",
        "wij zoeken een leverancier voor stageplekken",
    ],
)
def test_in_scope(text):
    assert out_of_scope_reason(text) is None


def test_a_province_or_a_job_in_other_words():
    assert out_of_scope_reason("wat doet de provincie Noord-Brabant aan sociaal ondernemen")
    assert out_of_scope_reason("Kan ik bij de gemeente als schoonmaker werken?") == "job"


def test_where_someone_comes_from_is_not_another_programme():
    assert (
        out_of_scope_reason("zijn er opdrachten voor ne kleine drukkerij uit Vlaanderen?") is None
    )


@pytest.mark.parametrize(
    "text",
    [
        "is er een vakantiebaan bij de gemeente voor scholieren",
        "zoekt haarlem nog een jobstudent voor de zomer",
        "heeft de gemeente een vacaturre voor beleidsmedewerker",
        "kan ik als financieel medewerker bij jullie beginnen",
    ],
)
def test_more_ways_to_ask_for_a_job(text):
    assert out_of_scope_reason(text) == "job"


@pytest.mark.parametrize(
    "text",
    [
        "ik ben zzp'er uit Leiden, kan ik op het Haarlemse platform?",
        "wij komen vanuit Amsterdam, mogen we meedoen aan The Impact Days",
    ],
)
def test_where_the_user_comes_from_is_not_the_subject(text):
    assert out_of_scope_reason(text) is None


@pytest.mark.parametrize(
    "text,reason",
    [
        (
            "ik heb ook een vestiging in Enschede, is daar een programma zoals in Haarlem?",
            "other_place",
        ),
        ("heeft Gouda ook zo'n programma?", "other_place"),
        ("is er een werkstudentplek bij het team economie?", "job"),
        ("kan ik interim-inkoper worden bij de gemeente?", "job"),
        ("ik wil graag werken bij de gemeente", "job"),
        ("ik werk bij de gemeente en zoek een cateraar", None),
        ("wij werken bij de gemeente haarlem als inkopers", None),
        ("wij zijn een bedrijf uit Gouda en zoeken opdrachten in Haarlem", None),
    ],
)
def test_comparisons_towns_and_job_words(text, reason):
    assert out_of_scope_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "waren de impact days in 2021 ook in Utrecht?",
        "moet social return altijd met nieuwe banen?",
        "geldt de prestatieladder ook in Amsterdam?",
    ],
)
def test_places_and_jobs_inside_a_programme_topic_stay_in_scope(text):
    assert out_of_scope_reason(text) is None


@pytest.mark.parametrize(
    "text,reason",
    [
        ("hoe solliciteer ik bij jullie?", "job"),
        ("kan ik bij de gemeente Haarlem afstuderen?", "job"),
        ("ik doe een afstudeeronderzoek naar impact ondernemen", None),
        ("wij zetten werkzoekenden in, zijn er uitvragen van de stad?", None),
    ],
)
def test_applying_and_graduating_at_the_municipality(text, reason):
    assert out_of_scope_reason(text) == reason
