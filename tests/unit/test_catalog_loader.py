"""The catalogue data loads, is marked as example data, and bad files fail with file, entry and field."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.catalog.loader import load_catalog
from bot.catalog.schema import AMSTERDAM
from bot.content.loader import DataError, load_programme
from tests.fixtures import FIXTURE_PROGRAMME
from tests.unit.test_periods import NOW

DATA = FIXTURE_PROGRAMME
FICTIONAL = ("(voorbeeld)", "Voorbeeld:", "Voorbeeldorganisatie")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for f in DATA.glob("*.yml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def edit(directory: Path, name: str, change) -> None:
    path = directory / name
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_shipped_vocabularies():
    catalog = load_catalog(DATA, NOW)
    assert {
        "catering",
        "schoonmaak",
        "groenonderhoud",
        "drukwerk",
        "ict",
        "koffie_thee",
        "relatiegeschenken",
        "koeriers_logistiek",
        "textiel",
        "zorg_welzijn",
    } <= set(catalog.categories)
    assert {"impact_days", "lol_sessie", "meet_the_buyer", "workshop", "netwerkbijeenkomst"} <= set(
        catalog.event_kinds
    )
    assert set(catalog.impact_kinds) == {"afstand_arbeidsmarkt", "circulair", "duurzaam", "lokaal"}
    assert "kerstpakketten" in catalog.categories["relatiegeschenken"].synoniemen


def test_shipped_offers_are_clearly_example_data():
    catalog = load_catalog(DATA, NOW)
    assert len(catalog.offers) >= 25
    assert len({o.categorie for o in catalog.offers}) == 10
    for offer in catalog.offers:
        assert offer.status == "voorbeeld"
        assert any(mark in offer.organisatie for mark in FICTIONAL), offer.organisatie
        assert offer.link.startswith("https://voorbeeld.impact-haarlem.nl/")


def test_shipped_opportunities_are_open_example_data():
    catalog = load_catalog(DATA, NOW)
    assert len(catalog.opportunities) == 10
    for item in catalog.opportunities:
        assert item.status == "voorbeeld" and "voorbeeld" in item.opdrachtgever.lower()
        assert item.deadline > NOW and item.deadline.tzinfo is not None
        assert item.link.startswith("https://voorbeeld.impact-haarlem.nl/")


def test_shipped_events_lie_in_the_coming_six_months():
    catalog = load_catalog(DATA, NOW)
    assert len(catalog.events) == 12
    starts = sorted(e.start for e in catalog.events)
    assert starts[0] > NOW and starts[-1] < NOW + timedelta(days=190)
    assert len({(s.year, s.month) for s in starts}) >= 5  # spread out, not bunched
    assert {e.soort for e in catalog.events} >= {
        "impact_days",
        "lol_sessie",
        "meet_the_buyer",
        "workshop",
        "netwerkbijeenkomst",
    }
    assert any(e.online for e in catalog.events) and not all(e.online for e in catalog.events)
    for event in catalog.events:
        assert event.status == "voorbeeld" and event.end > event.start
        assert event.start.tzinfo.key == "Europe/Amsterdam"


def test_relative_times_keep_the_wall_clock_across_summer_time():
    catalog = load_catalog(DATA, NOW)  # 27 Nov (CET); the last event is in May (CEST)
    lol = [e for e in catalog.events if e.soort == "lol_sessie"]
    assert {(e.start.hour, e.start.minute) for e in lol} == {(12, 0)}
    assert {e.start.utcoffset() for e in catalog.events} == {timedelta(hours=1), timedelta(hours=2)}


def test_the_demo_moves_with_today():
    later = load_catalog(DATA, NOW + timedelta(days=100))
    assert min(e.start for e in later.events) > NOW + timedelta(days=100)


def test_platform_is_concept_and_routes_through_14023():
    platform = load_catalog(DATA, NOW).platform
    assert platform.status == "concept"
    assert "14 023" in platform.aanbieder.tekst and "14 023" in platform.inkoper.tekst
    assert "Geen gecontroleerde openbare aanmeldlink" in platform.opmerking


def test_content_loader_still_reads_its_files():
    assert load_programme(DATA).contact.telefoon == "14 023"


def test_unknown_category_names_file_entry_and_field(data_copy: Path):
    edit(data_copy, "aanbod.yml", lambda raw: raw["aanbod"][2].update(categorie="bakkerij"))
    with pytest.raises(DataError) as exc:
        load_catalog(data_copy, NOW)
    message = str(exc.value)
    assert (
        "aanbod.yml: entry aanbod[2] (id=restjes_catering): field 'categorie': unknown category 'bakkerij'"
        in message
    )


def test_unknown_impact_and_event_kind(data_copy: Path):
    edit(data_copy, "aanbod.yml", lambda raw: raw["aanbod"][0].update(impact=["lokaal", "groenig"]))
    with pytest.raises(
        DataError, match=r"aanbod\[0\] \(id=spaarne_smaak\): field 'impact': unknown impact kind"
    ):
        load_catalog(data_copy, NOW)
    edit(data_copy, "aanbod.yml", lambda raw: raw["aanbod"][0].update(impact=["lokaal"]))
    edit(data_copy, "evenementen.yml", lambda raw: raw["evenementen"][1].update(soort="feest"))
    with pytest.raises(
        DataError,
        match=r"evenementen\.yml: entry evenementen\[1\] \(id=lol_social_return\): "
        r"field 'soort': unknown event kind 'feest'",
    ):
        load_catalog(data_copy, NOW)


def test_event_needs_exactly_one_of_end_and_duration(data_copy: Path):
    edit(
        data_copy,
        "evenementen.yml",
        lambda raw: raw["evenementen"][0].update(eind={"over_dagen": 6, "tijd": "10:00"}),
    )
    with pytest.raises(
        DataError,
        match=r"evenementen\[0\] \(id=mtb_catering\).*exactly one of 'eind' and "
        r"'duur_minuten'",
    ):
        load_catalog(data_copy, NOW)


def test_end_before_start_is_an_error(data_copy: Path):
    def change(raw):
        event = raw["evenementen"][0]
        event.pop("duur_minuten")
        event["eind"] = {"over_dagen": 1, "tijd": "10:00"}

    edit(data_copy, "evenementen.yml", change)
    with pytest.raises(DataError, match=r"evenementen\[0\] \(id=mtb_catering\): field 'eind'"):
        load_catalog(data_copy, NOW)


def test_bad_time_missing_field_and_upper_case_synonym(data_copy: Path):
    edit(
        data_copy,
        "inkoopvragen.yml",
        lambda raw: raw["inkoopvragen"][4]["deadline"].update(tijd="25:00"),
    )
    with pytest.raises(
        DataError, match=r"inkoopvragen\[4\] \(id=laptops_refurbished\): field 'deadline.*tijd'"
    ):
        load_catalog(data_copy, NOW)
    edit(
        data_copy,
        "inkoopvragen.yml",
        lambda raw: raw["inkoopvragen"][4]["deadline"].update(tijd="12:00"),
    )
    edit(data_copy, "inkoopvragen.yml", lambda raw: raw["inkoopvragen"][4].pop("social_return"))
    with pytest.raises(
        DataError, match=r"inkoopvragen\[4\] \(id=laptops_refurbished\): field 'social_return'"
    ):
        load_catalog(data_copy, NOW)
    (data_copy / "inkoopvragen.yml").write_text(
        (DATA / "inkoopvragen.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    edit(
        data_copy,
        "categorieen.yml",
        lambda raw: raw["categorieen"][0]["synoniemen"].append("Lunch"),
    )
    with pytest.raises(
        DataError, match=r"categorieen\[0\] \(id=catering\): field 'synoniemen.*lower case"
    ):
        load_catalog(data_copy, NOW)


def test_absolute_dates_are_amsterdam_time(data_copy: Path):
    edit(
        data_copy,
        "evenementen.yml",
        lambda raw: raw["evenementen"][0].update(start="2027-07-01T19:30:00"),
    )
    edit(
        data_copy,
        "inkoopvragen.yml",
        lambda raw: raw["inkoopvragen"][0].update(deadline="2027-01-15T12:00:00+00:00"),
    )
    catalog = load_catalog(data_copy, NOW)
    event = next(e for e in catalog.events if e.id == "mtb_catering")
    assert event.start == datetime(2027, 7, 1, 19, 30, tzinfo=AMSTERDAM)
    assert event.start.utcoffset() == timedelta(hours=2)
    deadline = next(o for o in catalog.opportunities if o.id == "lunch_stadhuis").deadline
    assert deadline.hour == 13 and deadline.tzinfo.key == "Europe/Amsterdam"


def test_duplicate_ids_and_missing_file(data_copy: Path):
    edit(data_copy, "aanbod.yml", lambda raw: raw["aanbod"][1].update(id=raw["aanbod"][0]["id"]))
    with pytest.raises(DataError, match="duplicate id 'spaarne_smaak'"):
        load_catalog(data_copy, NOW)
    (data_copy / "platform.yml").unlink()
    (data_copy / "aanbod.yml").write_text(
        (DATA / "aanbod.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(DataError, match="platform.yml: file not found"):
        load_catalog(data_copy, NOW)
