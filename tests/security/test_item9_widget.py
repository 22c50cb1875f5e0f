"""Item 9: the widget keeps the conversation in the tab (sessionStorage) unless the site
owner chooses localStorage (`data-storage="local"`, kept for `data-keep-hours`).

Runs against the shared server pair of the browser tests (`rasa_server`, tests/conftest.py).
"""
import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM_ARGS

pytestmark = pytest.mark.servers
TIMEOUT = 30_000
KEY = "impact-chat"


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("chromium is not installed: `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="nl-NL")
    yield context
    context.close()


def page_with(context, rasa, attributes=""):
    """A page on the server's origin that embeds the widget with these attributes."""
    url = f"{rasa.url}/webchat/embed-test.html"
    html = (f'<!doctype html><html lang="nl"><head><title>test</title></head><body>'
            f'<script src="widget.js" {attributes} defer></script></body></html>')
    context.route(url, lambda route: route.fulfill(status=200, body=html,
                                                   content_type="text/html"))
    page = context.new_page()
    page.goto(url)
    return page


def chat(page, text):
    page.click("#ioc-launcher")
    expect(page.locator(".ioc-msg.ioc-bot").first).to_be_visible(timeout=TIMEOUT)
    page.fill("#ioc-input", text)
    page.press("#ioc-input", "Enter")
    expect(page.locator("#ioc-log")).to_contain_text("Live Online Learning", timeout=TIMEOUT)


def test_default_keeps_the_conversation_in_the_tab_only(context, rasa_server):
    rasa = rasa_server
    page = page_with(context, rasa)
    chat(page, "Wat betekent LOL?")
    assert page.evaluate(f"window.localStorage.getItem('{KEY}')") is None
    assert "Live Online Learning" in page.evaluate(f"window.sessionStorage.getItem('{KEY}')")
    page.reload()  # the tab keeps it
    expect(page.locator("#ioc-log")).to_contain_text("Live Online Learning")
    # The next person at this computer opens another tab (or the browser again): nothing.
    other = page_with(context, rasa)
    other.click("#ioc-launcher")
    expect(other.locator(".ioc-msg.ioc-bot").first).to_be_visible(timeout=TIMEOUT)
    expect(other.locator("#ioc-log")).not_to_contain_text("Live Online Learning")


def test_local_storage_is_an_option_with_a_retention(context, rasa_server):
    rasa = rasa_server
    page = page_with(context, rasa, 'data-storage="local" data-keep-hours="1"')
    chat(page, "Wat betekent LOL?")
    assert "Live Online Learning" in page.evaluate(f"window.localStorage.getItem('{KEY}')")
    other = page_with(context, rasa, 'data-storage="local" data-keep-hours="1"')
    expect(other.locator("#ioc-log")).to_contain_text("Live Online Learning")
    # Older than the retention: forgotten.
    page.evaluate(f"""() => {{
        const s = JSON.parse(localStorage.getItem('{KEY}'));
        s.updated = Date.now() - 2 * 3600 * 1000;
        localStorage.setItem('{KEY}', JSON.stringify(s));
    }}""")
    third = page_with(context, rasa, 'data-storage="local" data-keep-hours="1"')
    third.click("#ioc-launcher")
    expect(third.locator(".ioc-msg.ioc-bot").first).to_be_visible(timeout=TIMEOUT)
    expect(third.locator("#ioc-log")).not_to_contain_text("Live Online Learning")
