"""parse_period finds Dutch periods, with a fixed now: Friday 27 November 2026, 10:00 Amsterdam."""

from datetime import datetime

import pytest

from bot.catalog.periods import OPEN_END, Period, parse_period
from bot.catalog.schema import AMSTERDAM

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=AMSTERDAM)


def at(text: str) -> datetime:
    """'2026-12-01' or '2026-12-01 18:00' as an Amsterdam datetime."""
    return datetime.fromisoformat(text if " " in text else f"{text} 00:00").replace(
        tzinfo=AMSTERDAM
    )


NOW_TEXT = "2026-11-27 10:00"

CASES = [
    # text, start, end, label
    ("vandaag", "2026-11-27", "2026-11-28", "vandaag"),
    ("morgen", "2026-11-28", "2026-11-29", "morgen"),
    ("overmorgen", "2026-11-29", "2026-11-30", "overmorgen"),
    ("vanavond", "2026-11-27 18:00", "2026-11-28", "vanavond"),
    ("morgenmiddag", "2026-11-28 12:00", "2026-11-28 18:00", "morgenmiddag"),
    ("deze week", "2026-11-23", "2026-11-30", "deze week"),
    ("volgende week", "2026-11-30", "2026-12-07", "volgende week"),
    ("dit weekend", "2026-11-28", "2026-11-30", "dit weekend"),
    ("volgend weekend", "2026-12-05", "2026-12-07", "volgend weekend"),
    ("deze maand", "2026-11-01", "2026-12-01", "deze maand"),
    ("volgende maand", "2026-12-01", "2027-01-01", "volgende maand"),
    ("komende maand", NOW_TEXT, "2026-12-27 10:00", "de komende maand"),
    ("de komende 3 weken", NOW_TEXT, "2026-12-18 10:00", "de komende 3 weken"),
    ("binnenkort", NOW_TEXT, "2026-12-27 10:00", "binnenkort"),
    ("in maart", "2027-03-01", "2027-04-01", "in maart"),
    ("in november", "2026-11-01", "2026-12-01", "in november"),
    ("in december", "2026-12-01", "2027-01-01", "in december"),
    ("maart 2028", "2028-03-01", "2028-04-01", "in maart 2028"),
    ("12 maart", "2027-03-12", "2027-03-13", "op 12 maart"),
    ("27 november", "2026-11-27", "2026-11-28", "op 27 november"),
    ("26 november", "2027-11-26", "2027-11-27", "op 26 november"),
    ("3 dec", "2026-12-03", "2026-12-04", "op 3 december"),
    ("op 12-3", "2027-03-12", "2027-03-13", "op 12 maart"),
    ("12/03/2027", "2027-03-12", "2027-03-13", "op 12 maart 2027"),
    ("zaterdag", "2026-11-28", "2026-11-29", "op zaterdag 28 november"),
    ("vrijdag", "2026-11-27", "2026-11-28", "op vrijdag 27 november"),
    ("volgende week dinsdag", "2026-12-01", "2026-12-02", "op dinsdag 1 december"),
    ("na 1 december", "2026-12-02", "2027-12-02", "na 1 december"),
    ("voor 1 december", NOW_TEXT, "2026-12-01", "voor 1 december"),
    ("vanaf 3 januari", "2027-01-03", "2028-01-03", "vanaf 3 januari"),
    ("tot 15 december", NOW_TEXT, "2026-12-16", "tot en met 15 december"),
    ("t/m 4 december", NOW_TEXT, "2026-12-05", "tot en met 4 december"),
    ("na maart", "2027-04-01", "2028-03-31", "na maart"),
    ("voor maart", NOW_TEXT, "2027-03-01", "voor maart"),
    ("begin januari", "2027-01-01", "2027-01-11", "begin januari"),
    ("eind januari", "2027-01-21", "2027-02-01", "eind januari"),
    ("dit najaar", "2026-09-01", "2026-12-01", "dit najaar"),
    ("in de herfst", "2026-09-01", "2026-12-01", "deze herfst"),
    ("deze winter", "2026-12-01", "2027-03-01", "deze winter"),
    ("dit voorjaar", "2027-03-01", "2027-06-01", "dit voorjaar"),
    ("deze zomer", "2027-06-01", "2027-09-01", "deze zomer"),
    ("volgende winter", "2026-12-01", "2027-03-01", "volgende winter"),
    ("voor de zomer", NOW_TEXT, "2027-06-01", "voor de zomer"),
    ("na de zomer", "2027-09-01", "2027-12-01", "na de zomer"),
    ("over twee weken", "2026-12-07", "2026-12-14", "over twee weken"),
    ("over 5 dagen", "2026-12-02", "2026-12-03", "over 5 dagen"),
    ("over een maand", "2026-12-01", "2027-01-01", "over een maand"),
    ("dit jaar", "2026-01-01", "2027-01-01", "dit jaar"),
    ("volgend jaar", "2027-01-01", "2028-01-01", "volgend jaar"),
    ("in 2027", "2027-01-01", "2028-01-01", "in 2027"),
    # inside longer sentences
    ("Wat is er volgende maand in Haarlem?", "2026-12-01", "2027-01-01", "volgende maand"),
    ("Zijn er workshops na 1 december?", "2026-12-02", "2027-12-02", "na 1 december"),
    ("ik wil graag weten wat er in maart te doen is", "2027-03-01", "2027-04-01", "in maart"),
    ("Is er dit weekend iets voor sociale ondernemers?", "2026-11-28", "2026-11-30", "dit weekend"),
    ("Meet the Buyer op 3 december graag", "2026-12-03", "2026-12-04", "op 3 december"),
]

NO_PERIOD = [
    "ik zoek een schoonmaakbedrijf",
    "wat is social return?",
    "evenementen voor ondernemers",
    "goede morgen",
    "hoe kan ik mijn aanbod plaatsen",
    "wij hebben 2-3 mensen nodig voor de catering",
    "lunch voor 12 personen",
    "kan jan mij bellen",
    "",
]


@pytest.mark.parametrize("text,start,end,label", CASES, ids=[c[0] for c in CASES])
def test_period(text, start, end, label):
    period = parse_period(text, NOW)
    assert period == Period(at(start), at(end), label)
    assert period.start.tzinfo is not None and period.start.utcoffset() is not None


@pytest.mark.parametrize("text", NO_PERIOD)
def test_no_period(text):
    assert parse_period(text, NOW) is None


def test_summer_time_is_respected():
    period = parse_period("deze zomer", NOW)
    assert period.start.utcoffset().total_seconds() == 2 * 3600  # CEST in June
    assert parse_period("in maart", NOW).start.utcoffset().total_seconds() == 3600  # CET on 1 March


def test_naive_now_is_amsterdam_and_utc_now_is_converted():
    naive = parse_period("morgen", NOW.replace(tzinfo=None))
    late_utc = parse_period("morgen", datetime.fromisoformat("2026-11-27T23:30:00+00:00"))
    assert naive.start == at("2026-11-28")
    assert late_utc.start == at("2026-11-29")  # 23:30 UTC is already Saturday in Amsterdam


def test_open_ended_periods_run_one_year():
    period = parse_period("vanaf 3 januari", NOW)
    assert period.end - period.start == OPEN_END


def test_now_is_inside_rolling_periods():
    assert NOW in parse_period("binnenkort", NOW)
    assert NOW not in parse_period("volgende week", NOW)
