"""CatalogIndex: filters, ordering, periods and paging; the index agrees with a brute-force scan."""

import random
from dataclasses import replace
from datetime import timedelta

import pytest

from bench.synthetic import synthetic_catalog
from bot.catalog.loader import load_catalog
from bot.catalog.periods import Period, parse_period
from bot.catalog.schema import Event
from bot.catalog.search import CatalogIndex, page
from tests.fixtures import FIXTURE_PROGRAMME
from tests.unit.test_periods import NOW

CATALOG = load_catalog(FIXTURE_PROGRAMME, NOW)
INDEX = CatalogIndex(CATALOG)


def ids(items):
    return [item.id for item in items]


def test_offers_by_category_and_impact():
    assert ids(INDEX.offers(categorie="schoonmaak")) == [
        "spaarne_schoon",
        "fris_en_fair",
        "poetsploeg",
    ]
    assert ids(INDEX.offers(categorie="ict", impact="circulair")) == ["tweede_leven_it"]
    assert len(INDEX.offers()) == len(CATALOG.offers)
    assert INDEX.offers(categorie="ict", impact="duurzaam") == []


def test_offer_filters_accept_words_people_use():
    assert ids(INDEX.offers(categorie="schoonmaakbedrijf")) == ids(
        INDEX.offers(categorie="schoonmaak")
    )
    assert ids(INDEX.offers(impact="circulaire")) == ids(INDEX.offers(impact="circulair"))
    assert INDEX.offers(categorie="ruimtevaart") == []


def test_opportunities_open_and_soonest_first():
    found = INDEX.opportunities(now=NOW)
    assert len(found) == 10
    assert [o.deadline for o in found] == sorted(o.deadline for o in found)
    assert found[0].id == "kerstpakketten_personeel"
    later = INDEX.opportunities(now=NOW + timedelta(days=20))
    assert all(o.deadline >= NOW + timedelta(days=20) for o in later) and len(later) < 10
    assert ids(INDEX.opportunities(categorie="kerstpakket", now=NOW)) == [
        "kerstpakketten_personeel"
    ]


def test_events_future_soonest_first_with_filters():
    found = INDEX.events(now=NOW)
    assert len(found) == 12 and [e.start for e in found] == sorted(e.start for e in found)
    assert ids(INDEX.events(soort="lol", now=NOW)) == [
        "lol_social_return",
        "lol_pso",
        "lol_pitchen",
    ]
    assert all(e.online for e in INDEX.events(online=True, now=NOW))
    assert not any(e.online for e in INDEX.events(online=False, now=NOW))
    assert INDEX.events(soort="onbestaand", now=NOW) == []


def test_events_in_a_period():
    december = parse_period("volgende maand", NOW)
    found = INDEX.events(period=december, now=NOW)
    assert found and all(december.start <= e.start < december.end for e in found)
    assert INDEX.events(period=parse_period("vorige maand", NOW), now=NOW) == []


def test_running_event_counts_until_it_ends():
    impact_days = next(e for e in CATALOG.events if e.soort == "impact_days")
    during = impact_days.start + timedelta(days=1)
    assert impact_days in INDEX.events(soort="impact_days", now=during)
    assert INDEX.events(soort="impact_days", now=impact_days.end) == []
    # and it overlaps a period that starts while it runs
    period = Period(during, during + timedelta(days=7), "test")
    assert impact_days in INDEX.events(period=period, now=NOW)


def test_page():
    items = list(range(10))
    first = page(items, 1)
    assert first.items == [0, 1, 2] and first.total == 10 and first.pages == 4
    assert first.has_next
    last = page(items, 4)
    assert last.items == [9] and not last.has_next
    assert page(items, 5).items == []
    assert page(items, 2, size=5).items == [5, 6, 7, 8, 9]
    assert page([], 1).pages == 1
    with pytest.raises(ValueError):
        page(items, 0)


# --- the index agrees with a brute-force scan on a large random catalogue ---------------------

BIG = synthetic_catalog(CATALOG, NOW, offers=3000, events=800, opportunities=300, seed=3)
BIG_INDEX = CatalogIndex(BIG)


def brute_offers(categorie, impact):
    return [
        o
        for o in BIG.offers
        if not (categorie and o.categorie != categorie or impact and impact not in o.impact)
    ]


def brute_events(soort, period, online, now):
    lower = now if period is None else max(now, period.start)
    found = [
        e
        for e in BIG.events
        if e.end > lower
        and (period is None or e.start < period.end)
        and (soort is None or e.soort == soort)
        and (online is None or e.online == online)
    ]
    return sorted(found, key=lambda e: e.start)


def test_index_matches_brute_force():
    rng = random.Random(11)
    periods = [None] + [
        parse_period(t, NOW)
        for t in [
            "volgende week",
            "deze maand",
            "dit najaar",
            "in maart",
            "binnenkort",
            "na 1 december",
            "deze winter",
        ]
    ]
    for _ in range(300):
        categorie = rng.choice([None, *BIG.categories])
        impact = rng.choice([None, *BIG.impact_kinds])
        assert ids(BIG_INDEX.offers(categorie, impact)) == ids(brute_offers(categorie, impact))
        soort = rng.choice([None, *BIG.event_kinds])
        period = rng.choice(periods)
        online = rng.choice([None, True, False])
        now = NOW + timedelta(hours=rng.randint(-100, 1000))
        got = BIG_INDEX.events(soort=soort, period=period, online=online, now=now)
        want = brute_events(soort, period, online, now)
        assert ids(got) == ids(want)


def test_events_with_equal_starts_are_all_found():
    start = NOW + timedelta(days=3)
    base = CATALOG.events[0]
    twins = [
        Event(
            **{**base.dict(), "id": f"twin_{i}", "start": start, "end": start + timedelta(hours=1)}
        )
        for i in range(5)
    ]
    index = CatalogIndex(replace(CATALOG, events=twins))
    assert len(index.events(period=Period(start, start + timedelta(minutes=1), "x"), now=NOW)) == 5
