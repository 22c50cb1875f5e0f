"""Headless Debian chromium through Playwright (no browser download needed)."""

import shutil

import pytest

from bot import PROJECT_ROOT

AXE_JS = PROJECT_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module: Playwright's sync API keeps an event loop running in this
    thread while it is open, so it must be closed before other modules use asyncio."""
    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("chromium is not installed: `make browser` (apt-get install chromium)")
    if not AXE_JS.is_file():
        pytest.fail("web/node_modules is missing: `make web` (npm ci in web/)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (empty localStorage) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def webchat_url(rasa_server):
    return f"{rasa_server.url}/webchat/"
