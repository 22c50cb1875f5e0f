"""Item 9: the widget keeps the conversation in the tab (sessionStorage) unless the site
owner chooses localStorage (`data-storage="local"`, kept for `data-keep-hours`).

The real widget.js in Debian's chromium, on a page of a stand-in origin (Playwright routes);
what is stored does not depend on the server, so none is started here.
"""

import pytest
from playwright.sync_api import expect

from bot import PROJECT_ROOT
from tests.browser.conftest import browser  # noqa: F401 (the module-scoped chromium)

ORIGIN = "http://gemeente.test"
KEY = "impact-chat"
STATIC = PROJECT_ROOT / "web" / "static"


@pytest.fixture
def context(browser):  # noqa: F811 (the imported fixture)
    context = browser.new_context(locale="nl-NL")
    context.route(
        f"{ORIGIN}/webchat/widget.js",
        lambda route: route.fulfill(
            status=200, body=(STATIC / "widget.js").read_text(), content_type="text/javascript"
        ),
    )
    context.route(
        f"{ORIGIN}/webchat/widget.css",
        lambda route: route.fulfill(
            status=200, body=(STATIC / "widget.css").read_text(), content_type="text/css"
        ),
    )
    context.route(f"{ORIGIN}/webchat/vendor/**", lambda route: route.abort())
    yield context
    context.close()


def open_page(context, attributes=""):
    html = (
        '<!doctype html><html lang="nl"><head><title>test</title></head><body>'
        f'<script src="/webchat/widget.js" {attributes} defer></script></body></html>'
    )
    context.route(
        f"{ORIGIN}/page.html",
        lambda route: route.fulfill(status=200, body=html, content_type="text/html"),
    )
    page = context.new_page()
    page.goto(f"{ORIGIN}/page.html")
    page.click("#ioc-launcher")
    return page


def ask(page, text):
    page.fill("#ioc-input", text)
    page.press("#ioc-input", "Enter")
    expect(page.locator(".ioc-msg.ioc-user").last).to_contain_text(text)


def test_default_keeps_the_conversation_in_the_tab_only(context):
    page = open_page(context)
    ask(page, "Mijn vraag over inkoop")
    assert page.evaluate(f"window.localStorage.getItem('{KEY}')") is None
    assert "Mijn vraag over inkoop" in page.evaluate(f"window.sessionStorage.getItem('{KEY}')")
    page.reload()  # the tab keeps it
    if not page.locator("#ioc-panel").is_visible():
        page.click("#ioc-launcher")
    expect(page.locator("#ioc-log")).to_contain_text("Mijn vraag over inkoop")
    # The next person at this computer opens another tab (or the browser again): nothing.
    other = open_page(context)
    expect(other.locator("#ioc-panel")).to_be_visible()
    expect(other.locator("#ioc-log")).not_to_contain_text("Mijn vraag over inkoop")


def test_local_storage_is_an_option_with_a_retention(context):
    attributes = 'data-storage="local" data-keep-hours="1"'
    page = open_page(context, attributes)
    ask(page, "Mijn vraag over inkoop")
    assert "Mijn vraag over inkoop" in page.evaluate(f"window.localStorage.getItem('{KEY}')")
    other = open_page(context, attributes)
    expect(other.locator("#ioc-log")).to_contain_text("Mijn vraag over inkoop")
    # Older than the retention: forgotten.
    page.evaluate(f"""() => {{
        const s = JSON.parse(localStorage.getItem('{KEY}'));
        s.updated = Date.now() - 2 * 3600 * 1000;
        localStorage.setItem('{KEY}', JSON.stringify(s));
    }}""")
    third = open_page(context, attributes)
    expect(third.locator("#ioc-panel")).to_be_visible()
    expect(third.locator("#ioc-log")).not_to_contain_text("Mijn vraag over inkoop")
