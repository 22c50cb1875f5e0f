"""Synthetic catalogues for the search benchmark and the search tests (seeded, reproducible)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import List

from bot.catalog.loader import Catalog
from bot.catalog.schema import Event, Offer, Opportunity

WORDS = [
    "lunch",
    "schoon",
    "groen",
    "print",
    "laptop",
    "koffie",
    "pakket",
    "fiets",
    "kleding",
    "zorg",
    "buurt",
    "wijk",
    "circulair",
    "lokaal",
    "eerlijk",
    "team",
    "service",
    "advies",
    "onderhoud",
    "kantoor",
    "school",
    "sport",
    "keuken",
    "atelier",
    "werkplaats",
    "leerwerkplek",
    "recycling",
]
PLACES = [
    "Haarlem-Centrum",
    "Haarlem-Noord",
    "Haarlem-Oost",
    "Haarlem-Zuid",
    "Haarlem-Schalkwijk",
    "Heemstede",
    "Zandvoort",
    "Bloemendaal",
    "Velsen",
    "Spaarndam",
]
CERTIFICATES = [
    "PSO trede 1",
    "PSO trede 2",
    "PSO trede 3",
    "PSO aspirant",
    "Register Sociale Ondernemingen",
    "lid Social Enterprise NL",
]
THEMES = [
    "sociaal inkopen",
    "circulair",
    "duurzaam",
    "lokaal",
    "social return",
    "impact meten",
    "aanbesteden",
]


def synthetic_catalog(
    base: Catalog,
    now: datetime,
    offers: int = 10_000,
    events: int = 2_000,
    opportunities: int = 500,
    seed: int = 7,
) -> Catalog:
    """``base`` with generated offers, opportunities and events (vocabularies kept)."""
    rng = random.Random(seed)
    categories = sorted(base.categories)
    impacts = sorted(base.impact_kinds)
    kinds = sorted(base.event_kinds)
    offer_list: List[Offer] = []
    for i in range(offers):
        words = rng.sample(WORDS, 4)
        offer_list.append(
            Offer.construct(
                id=f"offer_{i}",
                organisatie=f"{words[0].title()} {words[1]} {i} (voorbeeld)",
                categorie=rng.choice(categories),
                omschrijving=" ".join(words) + " voor organisaties in de regio",
                impact=rng.sample(impacts, rng.randint(0, 2)),
                certificeringen=rng.sample(CERTIFICATES, rng.randint(0, 2)),
                locatie=rng.choice(PLACES),
                link=f"https://voorbeeld.impact-haarlem.nl/aanbod/{i}",
                status="voorbeeld",
                bronnen=["synthetisch"],
            )
        )
    opportunity_list: List[Opportunity] = []
    for i in range(opportunities):
        opportunity_list.append(
            Opportunity.construct(
                id=f"opp_{i}",
                opdrachtgever="Voorbeeldorganisatie",
                titel=f"{rng.choice(WORDS)} opdracht {i}",
                categorie=rng.choice(categories),
                deadline=now + timedelta(hours=rng.randint(-24 * 60, 24 * 200)),
                waarde="ca. EUR 10.000",
                social_return="geen",
                procedure="enkelvoudig onderhands",
                link=f"https://voorbeeld.impact-haarlem.nl/inkoopvragen/{i}",
                omschrijving=None,
                status="voorbeeld",
                bronnen=["synthetisch"],
            )
        )
    event_list: List[Event] = []
    for i in range(events):
        start = (now + timedelta(minutes=rng.randint(-60 * 24 * 30, 60 * 24 * 200))).replace(
            second=0, microsecond=0
        )
        length = timedelta(minutes=rng.choice([60, 90, 120, 180, 60 * 24 * 3]))
        online = rng.random() < 0.3
        event_list.append(
            Event.construct(
                id=f"event_{i}",
                titel=f"{rng.choice(WORDS).title()} bijeenkomst {i}",
                soort=rng.choice(kinds),
                start=start,
                end=start + length,
                locatie="online" if online else rng.choice(PLACES),
                online=online,
                thema=rng.choice(THEMES),
                organisator="Voorbeeldorganisatie",
                omschrijving=None,
                aanmelden=f"https://voorbeeld.impact-haarlem.nl/agenda/{i}",
                status="voorbeeld",
                bronnen=["synthetisch"],
            )
        )
    return replace(base, offers=offer_list, opportunities=opportunity_list, events=event_list)
