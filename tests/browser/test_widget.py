"""The chat widget on the demo page, in a real browser against the real servers."""

import json
import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AXE_JS

pytestmark = pytest.mark.servers

TIMEOUT = 30_000
BOT = ".ioc-msg.ioc-bot"


def open_widget(page, url):
    page.goto(url)
    page.click("#ioc-launcher")
    expect(page.locator("#ioc-panel")).to_be_visible()
    # The start message (/greet) brings the greeting with its quick replies.
    expect(page.locator(BOT).first).to_contain_text("computerprogramma", timeout=TIMEOUT)
    expect(page.locator(".ioc-choice").first).to_be_visible(timeout=TIMEOUT)


def ask(page, text):
    count = page.locator(BOT).count()
    page.fill("#ioc-input", text)
    page.press("#ioc-input", "Enter")
    expect(page.locator(BOT)).not_to_have_count(count, timeout=TIMEOUT)


def run_axe(page):
    # evaluate() is not subject to the page's Content-Security-Policy; a script tag is.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate("axe.run(document)")


def test_conversation_history_and_accessibility(page, context, webchat_url):
    open_widget(page, webchat_url)
    expect(page.locator("#ioc-panel")).to_contain_text("niet met een mens")

    # A quick reply of the greeting: its title is shown as the user's message.
    choice = page.locator(".ioc-choice").first
    title = choice.inner_text()
    bots = page.locator(BOT).count()
    choice.click()
    expect(page.locator(".ioc-msg.ioc-user").last).to_have_text(re.compile(re.escape(title)))
    expect(page.locator(BOT)).not_to_have_count(bots, timeout=TIMEOUT)

    ask(page, "Wat betekent LOL?")
    expect(page.locator("#ioc-log")).to_contain_text("Live Online Learning", timeout=TIMEOUT)
    # URLs in bot messages are links that open safely in a new tab.
    link = page.locator(f"{BOT} a").first
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("href", re.compile(r"^https?://"))

    # The conversation survives a reload of the tab; it is kept in the tab only
    # (sessionStorage, the default), so another tab starts afresh (tests/security/).
    page.reload()
    expect(page.locator("#ioc-panel")).to_be_visible()
    expect(page.locator("#ioc-log")).to_contain_text("Live Online Learning")
    expect(page.locator("#ioc-log")).to_contain_text(title)
    # ... and the server still knows the session: a follow-up gets an answer.
    ask(page, "Wat is social return?")

    results = run_axe(page)
    counts = Counter(v["impact"] for v in results["violations"])
    print("axe violations by impact:", dict(counts))
    severe = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not severe, severe


def test_html_is_shown_as_text(page, webchat_url):
    """User input and bot messages with HTML are never executed."""
    sockets = []
    page.route_web_socket(
        re.compile(r"/socket\.io/"), lambda ws: sockets.append((ws, ws.connect_to_server()))
    )
    open_widget(page, webchat_url)

    attacks = ["<script>window.__xss = 1</script>", '<img src=x onerror="window.__xss = 2">']
    for text in attacks:
        ask(page, text)
        expect(page.locator(".ioc-msg.ioc-user").last).to_have_text(re.compile(re.escape(text)))

    # A bot message with HTML, as Rasa's socket.io channel would send it.
    ws = sockets[-1][0]
    bot_html = '<img src=x onerror="window.__xss = 3"><b>vet</b> https://example.org/"><script>'
    ws.send(
        "42"
        + json.dumps(
            [
                "bot_uttered",
                {
                    "text": bot_html,
                    "quick_replies": [
                        {
                            "content_type": "text",
                            "title": '<img src=x onerror="window.__xss=4">',
                            "payload": "hallo",
                        }
                    ],
                },
            ]
        )
    )
    expect(page.locator(BOT).last).to_contain_text('<img src=x onerror="window.__xss = 3">')
    expect(page.locator(".ioc-choice").last).to_have_text('<img src=x onerror="window.__xss=4">')
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#ioc-log img, #ioc-log script, #ioc-log b").count() == 0
    assert page.locator(f"{BOT} a").last.get_attribute("href") == "https://example.org/"


def test_phone_layout(browser, webchat_url):
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        open_widget(page, webchat_url)
        box = page.locator("#ioc-panel").bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 667
        for selector in ("#ioc-input", "#ioc-send", ".ioc-header-btn", ".ioc-restart"):
            expect(page.locator(selector)).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        ask(page, "Wat betekent LOL?")
        expect(page.locator("#ioc-log")).to_contain_text("Live Online Learning")
        # "Nieuw gesprek" forgets the conversation and starts again with the greeting.
        page.click(".ioc-restart")
        expect(page.locator("#ioc-log")).not_to_contain_text("Live Online Learning")
        expect(page.locator(BOT).first).to_contain_text("computerprogramma", timeout=TIMEOUT)
    finally:
        context.close()


def test_keyboard_only(page, webchat_url):
    page.goto(webchat_url)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "ioc-launcher":
            break
    else:
        pytest.fail("Tab never reached the chat launcher")
    # Focus is visible on the launcher.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    expect(page.locator("#ioc-panel")).to_be_visible()
    expect(page.locator("#ioc-input")).to_be_focused()
    expect(page.locator(BOT).first).to_contain_text("computerprogramma", timeout=TIMEOUT)
    page.keyboard.type("Wat betekent LOL?")
    page.keyboard.press("Enter")
    expect(page.locator("#ioc-log")).to_contain_text("Live Online Learning", timeout=TIMEOUT)
    # New messages are announced politely.
    expect(page.locator("#ioc-log")).to_have_attribute("aria-live", "polite")
    # Escape closes the chat and gives focus back to the launcher.
    page.keyboard.press("Escape")
    expect(page.locator("#ioc-panel")).to_be_hidden()
    expect(page.locator("#ioc-launcher")).to_be_focused()
