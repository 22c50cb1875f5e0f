"""Live feeds against a real local HTTP server: good, slow, 500, garbage, and the last good copy."""

import time
from pathlib import Path

import pytest

from bot.catalog.loader import load_catalog
from bot.feeds.live import LiveCatalog
from bot.feeds.parsers import parse_ics, parse_offers, parse_opportunities
from bot.feeds.source import Feed, FeedError, FeedResult
from bot.settings import Settings
from tests.feedserver import FeedServer
from tests.fixtures import FIXTURE_PROGRAMME
from tests.unit.test_periods import NOW

FILES = Path(__file__).parent / "feeds"
CATALOG = load_catalog(FIXTURE_PROGRAMME, NOW)


@pytest.fixture
def server():
    srv = FeedServer()
    srv.thread.start()
    srv.serve("/agenda.ics", (FILES / "agenda.ics").read_bytes())
    srv.serve("/offers.json", (FILES / "offers.json").read_bytes())
    srv.serve("/opportunities.json", (FILES / "opportunities.json").read_bytes())
    srv.serve("/slow.json", (FILES / "offers.json").read_bytes(), delay=5)
    srv.serve("/error.json", b"internal error", status=500)
    srv.serve("/garbage.json", b"{this is not json")
    srv.serve("/garbage.ics", b"<html>hello</html>")
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def offers_feed(url, **kwargs) -> Feed:
    kwargs.setdefault("timeout", 1.0)
    kwargs.setdefault("wait", 1.5)
    return Feed(
        "offers",
        url,
        lambda body: parse_offers(body, CATALOG, url),
        lambda: list(CATALOG.offers),
        **kwargs,
    )


def test_good_json_is_live(server):
    result = offers_feed(server.url("/offers.json")).get()
    assert result.source == "live" and not result.stale and result.fetched_at is not None
    assert [o.id for o in result.items] == ["live_koffie", "live_schoon"]
    assert result.melding() is None


def test_good_ics_is_live(server):
    url = server.url("/agenda.ics")
    feed = Feed(
        "events", url, lambda body: parse_ics(body, CATALOG, url), lambda: list(CATALOG.events)
    )
    result = feed.get()
    assert result.source == "live"
    by_title = {e.titel: e for e in result.items}
    mtb = by_title["Meet the Buyer: ICT en drukwerk"]
    assert mtb.soort == "meet_the_buyer" and mtb.thema == "sociaal inkopen"
    assert (
        mtb.start.isoformat() == "2027-01-14T15:00:00+01:00"
        and mtb.organisator == "Gemeente Haarlem (test)"
    )
    lol = by_title["LOL-sessie over social return"]
    assert (
        lol.soort == "lol_sessie" and lol.online and lol.start.hour == 12
    )  # 11:00 UTC = 12:00 CET
    assert (lol.end - lol.start).total_seconds() == 3600 and lol.aanmelden == url
    days = by_title["The Impact Days"]
    assert days.soort == "impact_days" and (days.end - days.start).days == 3
    assert by_title["Zomerborrel in de Stadsgarage"].soort == "netwerkbijeenkomst"
    assert by_title["Open huis"].soort == "overig"
    assert all(e.bronnen == [url] for e in result.items)


def test_good_opportunities_resolve_relative_deadlines(server):
    url = server.url("/opportunities.json")
    feed = Feed(
        "opportunities",
        url,
        lambda body: parse_opportunities(body, CATALOG, NOW, url),
        lambda: list(CATALOG.opportunities),
    )
    items = feed.get().items
    assert [o.deadline.isoformat() for o in items] == [
        "2026-11-30T12:00:00+01:00",
        "2027-02-01T12:00:00+01:00",
    ]


def test_slow_source_returns_within_three_seconds_with_embedded_data(server):
    feed = Feed(
        "offers",
        server.url("/slow.json"),
        lambda body: parse_offers(body, CATALOG),
        lambda: list(CATALOG.offers),
    )  # the default timeout and wait
    started = time.monotonic()
    result = feed.get()
    assert time.monotonic() - started < 3.0
    assert result.source == "embedded" and result.stale and result.fetched_at is None
    assert len(result.items) == len(CATALOG.offers)
    assert "niet bereikbaar" in result.melding()


def test_500_is_retried_once_then_falls_back(server):
    result = offers_feed(server.url("/error.json")).get()
    assert result.source == "embedded" and result.stale
    assert server.hits["/error.json"] == 2


@pytest.mark.parametrize("path", ["/garbage.json", "/agenda.ics"])
def test_garbage_falls_back_without_retry(server, path):
    feed = offers_feed(server.url(path))
    result = feed.get()
    assert result.source == "embedded" and result.stale
    assert server.hits[path] == 1
    assert "JSON" in feed.last_error


def test_garbage_ics_and_invalid_entries_are_rejected():
    with pytest.raises(FeedError, match="not a valid iCalendar"):
        parse_ics(b"<html>hello</html>", CATALOG, "http://x/agenda.ics")
    bad = (
        (FILES / "offers.json")
        .read_text(encoding="utf-8")
        .replace('"koffie_thee"', '"ruimtevaart"')
    )
    with pytest.raises(
        FeedError,
        match=r"entry aanbod\[0\] \(id=live_koffie\): field 'categorie': unknown category",
    ):
        parse_offers(bad.encode(), CATALOG, "http://x/offers.json")
    missing = (
        (FILES / "offers.json")
        .read_text(encoding="utf-8")
        .replace('"locatie": "Haarlem-Oost",', "")
    )
    with pytest.raises(FeedError, match=r"aanbod\[1\] \(id=live_schoon\): field 'locatie'"):
        parse_offers(missing.encode(), CATALOG, "http://x/offers.json")
    with pytest.raises(FeedError, match="expected a JSON list"):
        parse_offers(b'{"aanbod": []}', CATALOG, "http://x/offers.json")


def test_cache_within_ttl_does_not_download_again(server):
    feed = offers_feed(server.url("/offers.json"), ttl=60)
    assert feed.get().source == "live"
    again = feed.get()
    assert again.source == "cache" and not again.stale
    assert server.hits["/offers.json"] == 1


def test_last_good_copy_when_the_source_breaks(server):
    clock = [1000.0]
    url = server.serve("/flaky.json", (FILES / "offers.json").read_bytes())
    feed = offers_feed(url, ttl=60, backoff=30, clock=lambda: clock[0] + time.monotonic())
    first = feed.get()
    assert first.source == "live"
    server.serve("/flaky.json", b"oops", status=500)
    clock[0] += 61  # the copy has expired
    second = feed.get()
    assert second.source == "cache" and second.stale
    assert second.fetched_at == first.fetched_at
    assert [o.id for o in second.items] == ["live_koffie", "live_schoon"]
    assert "Dit is de lijst van" in second.melding()
    hits = server.hits["/flaky.json"]
    # while backing off, a broken source is not asked again and the answer is immediate
    started = time.monotonic()
    assert feed.get().source == "cache"
    assert server.hits["/flaky.json"] == hits and time.monotonic() - started < 0.1
    # it recovers after the back-off
    server.serve("/flaky.json", (FILES / "offers.json").read_bytes())
    clock[0] += 31
    assert feed.get().source == "live"


def test_garbage_after_good_keeps_the_good_copy(server):
    clock = [0.0]
    url = server.serve("/changing.json", (FILES / "offers.json").read_bytes())
    feed = offers_feed(url, ttl=10, clock=lambda: clock[0] + time.monotonic())
    feed.get()
    server.serve("/changing.json", b'[{"id": 42}]')
    clock[0] += 11
    result = feed.get()
    assert result.source == "cache" and result.stale and len(result.items) == 2


def test_slow_download_fills_the_cache_in_the_background(server):
    url = server.serve("/late.json", (FILES / "offers.json").read_bytes(), delay=1.0)
    feed = offers_feed(url, timeout=3.0, wait=0.3)
    first = feed.get()
    assert first.source == "embedded" and first.stale
    time.sleep(1.5)
    later = feed.get()
    assert later.source == "cache" and not later.stale and len(later.items) == 2
    assert server.hits["/late.json"] == 1


def test_unset_url_is_embedded_and_not_stale():
    result = offers_feed(None).get()
    assert result == FeedResult(list(CATALOG.offers), "embedded", None, stale=False)


def test_live_catalog_from_settings(server, monkeypatch):
    env = {
        "OFFERS_JSON_URL": server.url("/offers.json"),
        "EVENTS_ICS_URL": server.url("/slow.json"),
        "OPPORTUNITIES_JSON_URL": "",
        "FEED_TTL_SECONDS": "120",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    live = LiveCatalog.from_settings(CATALOG, Settings.from_env(), now=lambda: NOW)
    started = time.monotonic()
    snap = live.snapshot()
    assert time.monotonic() - started < 3.0  # all sources together, one deadline
    assert snap.offers.source == "live" and snap.events.source == "embedded" and snap.events.stale
    assert snap.opportunities.source == "embedded" and not snap.opportunities.stale
    assert snap.stale
    assert [o.id for o in snap.index.offers(categorie="koffie")] == ["live_koffie"]
    assert len(snap.index.events(now=NOW)) == len(CATALOG.events)
    assert live.offers.ttl == 120
    started = time.monotonic()
    again = live.snapshot()
    assert (
        time.monotonic() - started < 0.5
    )  # the slow download is still running; nobody waits twice
    assert again.index is snap.index  # nothing changed: the index is reused
