"""Search results as cards in the widget, in a real browser against the real servers."""

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from bot.catalog.loader import load_catalog
from bot.catalog.schema import AMSTERDAM
from tests.browser.test_widget import BOT, TIMEOUT, open_widget, run_axe

pytestmark = pytest.mark.servers

SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True},
}
CARD = ".ioc-cards:last-of-type .ioc-card"


@pytest.fixture(scope="module")
def catalog(programme_dir):
    return load_catalog(programme_dir, datetime.now(AMSTERDAM))


def send(page, text):
    """Type ``text`` and wait for the assistant's answer."""
    count = page.locator(BOT).count()
    page.fill("#ioc-input", text)
    page.press("#ioc-input", "Enter")
    expect(page.locator(BOT)).not_to_have_count(count, timeout=TIMEOUT)


def last_cards(page):
    return page.locator("#ioc-log > .ioc-cards").last.locator(".ioc-card")


def assert_accessible(page, where):
    results = run_axe(page)
    counts = Counter(v["impact"] for v in results["violations"])
    print(where, "axe violations by impact:", dict(counts))
    severe = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not severe, (where, severe)


def assert_fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(
        "document.getElementById('ioc-log').scrollWidth <= "
        "document.getElementById('ioc-log').clientWidth"
    )


def assert_card(card, title, facts, link_title, link_url):
    expect(card.locator(".ioc-card-title")).to_have_text(re.compile(re.escape(title) + "$"))
    expect(card.locator(".ioc-card-fact")).to_have_text(facts)
    link = card.locator(".ioc-card-link")
    expect(link).to_have_attribute("href", link_url)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    expect(link).to_contain_text(link_title)
    # Screen readers hear which result a button or link belongs to.
    expect(card.locator(".ioc-card-more")).to_have_accessible_name(f"Meer hierover: {title}")
    expect(link).to_have_accessible_name(re.compile(re.escape(f"{link_title}: {title}")))


@pytest.mark.parametrize("size", SIZES)
def test_cards_of_each_kind(browser, webchat_url, catalog, size):
    context = browser.new_context(locale="nl-NL", **SIZES[size])
    page = context.new_page()
    width = SIZES[size]["viewport"]["width"]
    try:
        open_widget(page, webchat_url)
        page.click(".ioc-notice-ok")
        expect(page.locator(".ioc-notice")).to_be_hidden()

        # Events: date and place, "Aanmelden", "In mijn agenda", "Meer hierover".
        send(page, "Welke evenementen zijn er?")
        cards = last_cards(page)
        expect(cards.first).to_be_visible(timeout=TIMEOUT)
        assert cards.count() == 3
        first_id = re.search(
            r"/agenda/(.+)\.ics$", cards.first.locator(".ioc-card-calendar").get_attribute("href")
        )[1]
        event = next(e for e in catalog.events if e.id == first_id)
        assert_card(
            cards.first,
            event.titel,
            [re.compile(r"\d{1,2}:\d\d|tot en met"), "Online" if event.online else event.locatie],
            "Aanmelden",
            event.aanmelden,
        )
        expect(cards.locator(".ioc-card-calendar")).to_have_count(3)
        # No instructions in the text: buttons instead; the example note is said once.
        expect(page.locator("#ioc-log")).not_to_contain_text("Typ")
        expect(page.locator(".ioc-note", has_text="voorbeeldgegevens")).to_have_count(1)
        expect(page.locator(".ioc-choice", has_text="Toon meer")).to_be_visible()
        assert_fits(page, width)
        assert_accessible(page, f"events at {size}")

        # "Toon meer" pages on, numbered across pages, without repeating the note.
        page.click(".ioc-choice >> text=Toon meer")
        expect(page.locator("#ioc-log > .ioc-cards")).to_have_count(2, timeout=TIMEOUT)
        expect(last_cards(page).first.locator(".ioc-card-title")).to_have_text(re.compile(r"^4\. "))
        expect(page.locator(".ioc-note", has_text="voorbeeldgegevens")).to_have_count(1)

        # Offers: category and impact, "Bekijk".
        offer = catalog.offers[0]
        send(page, "/search_offers" + json.dumps({"categorie": offer.categorie}))
        expect(page.locator("#ioc-log > .ioc-cards")).to_have_count(3, timeout=TIMEOUT)
        card = last_cards(page).filter(has_text=offer.organisatie).first
        facts = [catalog.categories[offer.categorie].naam]
        if offer.impact:
            facts.append(re.compile(r"^Impact: "))
        assert_card(card, offer.organisatie, facts, "Bekijk", offer.link)
        expect(last_cards(page).locator(".ioc-card-calendar")).to_have_count(0)

        # Opportunities: deadline, "Reageren".
        opportunity = catalog.opportunities[0]
        send(page, "/search_opportunities" + json.dumps({"categorie": opportunity.categorie}))
        expect(page.locator("#ioc-log > .ioc-cards")).to_have_count(4, timeout=TIMEOUT)
        card = last_cards(page).filter(has_text=opportunity.titel).first
        assert_card(
            card,
            opportunity.titel,
            [re.compile(r"^Reageren kan tot "), opportunity.opdrachtgever],
            "Reageren",
            opportunity.link,
        )
        expect(page.locator(".ioc-note", has_text="voorbeeldgegevens")).to_have_count(1)

        # "Meer hierover" asks for the detail of exactly that result.
        bots = page.locator(BOT).count()
        card.locator(".ioc-card-more").click()
        expect(page.locator(".ioc-msg.ioc-user").last).to_have_text(
            re.compile(re.escape(f"Meer over: {opportunity.titel}"))
        )
        expect(page.locator(BOT)).not_to_have_count(bots, timeout=TIMEOUT)
        expect(page.locator(BOT).last).to_contain_text(
            f"Opdrachtgever: {opportunity.opdrachtgever}"
        )
        assert_fits(page, width)
        assert_accessible(page, f"all kinds at {size}")
    finally:
        context.close()


def test_calendar_file_downloads_with_the_right_time(page, webchat_url, catalog):
    open_widget(page, webchat_url)
    send(page, "Welke evenementen zijn er?")
    link = last_cards(page).first.locator(".ioc-card-calendar")
    expect(link).to_be_visible(timeout=TIMEOUT)
    assert urlsplit(link.get_attribute("href")).netloc == urlsplit(webchat_url).netloc
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    body = Path(download.path()).read_bytes()
    [vevent] = Calendar.from_ical(body).walk("VEVENT")
    event = next(e for e in catalog.events if vevent["uid"].startswith(e.id + "@"))
    assert vevent.decoded("dtstart") == event.start
    assert vevent.decoded("dtstart").utcoffset() == event.start.astimezone(AMSTERDAM).utcoffset()
    assert b"TZID=Europe/Amsterdam" in body
    # The time in the file is the time on the card.
    fact = last_cards(page).first.locator(".ioc-card-fact").first.inner_text()
    if "tot en met" not in fact:
        assert event.start.astimezone(AMSTERDAM).strftime("%H:%M") in fact
    assert str(vevent["summary"]) == event.titel


def test_calendar_route_refuses_unknown_and_bad_names(page, webchat_url):
    for name, status in (
        ("bestaat-niet.ics", 404),
        ("..%2Fsecrets.ics", 404),
        ("<script>.ics", 404),
        ("a" * 300 + ".ics", 404),
    ):
        response = page.request.get(f"{webchat_url}agenda/{name}")
        assert response.status == status, name


def test_keyboard_only_with_cards(page, webchat_url):
    page.goto(webchat_url)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "ioc-launcher":
            break
    page.keyboard.press("Enter")
    expect(page.locator("#ioc-input")).to_be_focused()
    expect(page.locator(".ioc-choice").first).to_be_visible(timeout=TIMEOUT)

    # Dismiss the privacy notice with the keyboard: a short line stays in the header.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.className") == "ioc-notice-ok":
            break
    else:
        pytest.fail("Shift+Tab never reached the notice's button")
    page.keyboard.press("Enter")
    expect(page.locator(".ioc-notice")).to_be_hidden()
    expect(page.locator("#ioc-header-note")).to_be_visible()
    expect(page.locator("#ioc-panel")).to_have_attribute("aria-describedby", "ioc-header-note")
    expect(page.locator("#ioc-input")).to_be_focused()

    page.keyboard.type("Welke evenementen zijn er?")
    page.keyboard.press("Enter")
    expect(last_cards(page).first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".ioc-choice").first).to_be_visible(timeout=TIMEOUT)

    # Back from the input to "Toon meer" (a quick reply); after it, focus returns to the input.
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent") == "Toon meer":
            break
    else:
        pytest.fail("Shift+Tab never reached 'Toon meer'")
    page.keyboard.press("Enter")
    expect(page.locator("#ioc-log > .ioc-cards")).to_have_count(2, timeout=TIMEOUT)
    expect(page.locator("#ioc-input")).to_be_focused()

    # Further back: the last card's "Meer hierover", with a visible focus ring.
    for _ in range(15):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.className") == "ioc-card-more":
            break
    else:
        pytest.fail("Shift+Tab never reached a card's 'Meer hierover'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    bots = page.locator(BOT).count()
    page.keyboard.press("Enter")
    expect(page.locator(BOT)).not_to_have_count(bots, timeout=TIMEOUT)
    expect(page.locator(BOT).last).to_contain_text("Wanneer:")
    page.keyboard.press("Escape")
    expect(page.locator("#ioc-launcher")).to_be_focused()


def test_notice_stays_dismissed_after_a_reload(page, webchat_url):
    open_widget(page, webchat_url)
    expect(page.locator("#ioc-header-note")).to_be_hidden()
    page.click(".ioc-notice-ok")
    expect(page.locator("#ioc-header-note")).to_have_text(re.compile("geen mens"))
    page.reload()
    expect(page.locator("#ioc-panel")).to_be_visible()
    expect(page.locator(".ioc-notice")).to_be_hidden()
    expect(page.locator("#ioc-header-note")).to_be_visible()


def test_cards_from_the_socket_are_never_html(page, webchat_url):
    """Card data with HTML or script URLs is shown as text or left out."""
    sockets = []
    page.route_web_socket(
        re.compile(r"/socket\.io/"), lambda ws: sockets.append((ws, ws.connect_to_server()))
    )
    open_widget(page, webchat_url)
    evil = '<img src=x onerror="window.__xss = 1">'
    cards = [
        {
            "kind": "event",
            "number": 1,
            "title": evil,
            "facts": [evil],
            "link": {"title": evil, "url": "https://example.org/a"},
            "calendar": "javascript:window.__xss=2",
            "details": {"title": "Meer hierover", "payload": "/more"},
        },
        {
            "kind": "offer",
            "number": 2,
            "title": "Geen http",
            "facts": [],
            "link": {"title": "Bekijk", "url": "javascript:window.__xss=3"},
            "details": {"title": "Meer hierover", "payload": "/more"},
        },
    ]
    sockets[-1][0].send(
        "42" + json.dumps(["bot_uttered", {"text": "Resultaten", "cards": cards, "notes": [evil]}])
    )
    card = last_cards(page)
    expect(card).to_have_count(1)  # the card with a javascript: link is left out
    expect(card.locator(".ioc-card-title")).to_have_text("1. " + evil)
    expect(card.locator(".ioc-card-calendar")).to_have_count(0)
    expect(page.locator(".ioc-note").last).to_have_text(evil)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#ioc-log img").count() == 0
