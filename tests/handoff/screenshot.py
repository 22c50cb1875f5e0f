"""Write docs/console-screenshot.png: the agent console with a demo conversation.

A command, not a test: `make console-screenshot` (real servers on free ports, headless chromium).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from pathlib import Path

from bot import PROJECT_ROOT, names
from bot.handoff.console import hash_password
from bot.handoff.live import LiveDesk
from tests import servers
from tests.browser.conftest import CHROMIUM_ARGS

OUT = PROJECT_ROOT / "docs" / "console-screenshot.png"


def main() -> int:
    from playwright.sync_api import expect, sync_playwright

    work = Path(tempfile.mkdtemp(prefix="console-shot-"))
    password = secrets.token_urlsafe(16)
    accounts = work / "accounts"
    accounts.write_text(f"anna:{hash_password(password)}\n")
    env = {
        "DATA_DIR": str(work / "data"),
        "CONSOLE_ACCOUNTS": str(accounts),
        "OFFICE_HOURS": "mon-sun 00:00-24:00",
        "OFFICE_HOLIDAYS": "",
    }
    # Starting a Rasa server can take minutes on a busy machine: wait up to 15.
    wait_until = servers.wait_until
    servers.wait_until = lambda url, timeout, proc, **kw: wait_until(
        url, max(timeout, 900), proc, **kw
    )
    try:
        with servers.running_pair(work, env) as (_, rasa), sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="nl-NL")
            page.goto(f"{rasa.url}/console/")
            page.fill("#login-name", "anna")
            page.fill("#login-password", password)
            page.click("#login-submit")
            expect(page.locator("#agent-name")).to_have_text("anna")
            for sender, question in (
                ("demo-1", "Hoe kan ik meedoen met The Impact Days?"),
                ("demo-2", "Wat is social return?"),
            ):
                rasa.say(sender, question)
                rasa.say(sender, "Ik wil een medewerker spreken")
                rasa.say(sender, names.payload(names.AFFIRM))
            desk = LiveDesk(path=work / "data" / "conversations.db")
            first = desk.open_handoff("demo-1")
            page.locator("#queue button", has_text=f"Gesprek {first.id} ").click()
            page.click("#take")
            page.fill("#reply", "Goedemiddag, ik ben Anna van de gemeente. Ik help je graag.")
            page.click("#send")
            rasa.say("demo-1", "Fijn! Ik wil graag een workshop geven.")
            expect(page.locator("#messages li.user")).to_have_count(1, timeout=15_000)
            time.sleep(0.5)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(OUT), full_page=True)
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {OUT.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
