"""`python -m bot screenshots`: pictures of the widget with result cards, for the docs.

Opens the demo page of a running assistant (`make run`, or --url) in headless chromium at
desktop and phone size, asks for events and saves docs/widget-desktop.png and
docs/widget-phone.png. Tests never write these files.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, List

from bot import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
SIZES: Dict[str, dict] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}
QUESTION = "Welke evenementen zijn er?"
TIMEOUT_MS = 60_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


def take(url: str, out_dir: Path = DOCS) -> List[Path]:
    """Save one screenshot per size; returns the files written."""
    from playwright.sync_api import expect, sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        raise RuntimeError("chromium is not installed: `make browser`")
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            for name, options in SIZES.items():
                context = browser.new_context(locale="nl-NL", **options)
                page = context.new_page()
                page.goto(url)
                page.click("#ioc-launcher")
                expect(page.locator(".ioc-choice").first).to_be_visible(timeout=TIMEOUT_MS)
                page.click(".ioc-notice-ok")
                page.fill("#ioc-input", QUESTION)
                page.press("#ioc-input", "Enter")
                expect(page.locator(".ioc-card").first).to_be_visible(timeout=TIMEOUT_MS)
                page.wait_for_timeout(300)  # the quick replies after the cards
                # Show the first card at the top of the conversation.
                page.locator(".ioc-cards").last.evaluate(
                    "list => list.previousElementSibling.scrollIntoView()"
                )
                page.evaluate("document.activeElement && document.activeElement.blur()")
                path = out_dir / f"widget-{name}.png"
                page.screenshot(path=str(path))
                written.append(path)
                context.close()
        finally:
            browser.close()
    return written
