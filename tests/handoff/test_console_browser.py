"""Done when: a question the bot can't answer, the offer of help, consent, live handover, the
employee's reply in the user's widget, the user's reply in the console, close, the bot resumes.

Two real browser profiles (headless chromium) against the real servers: a user with the chat
widget on the demo page, an employee with the agent console. axe-core checks the console.
"""

from collections import Counter

import pytest
from playwright.sync_api import expect

from bot.channels.ids import conversation_id
from bot.channels.socketio import SessionTokens
from bot.handoff import relay
from bot.handoff.live import LiveDesk
from tests.browser.conftest import AXE_JS, browser  # noqa: F401 (the session fixture)
from tests.handoff.conftest import PASSWORDS, SESSION_SECRET

pytestmark = pytest.mark.servers

TIMEOUT = 30_000
BOT = ".ioc-msg.ioc-bot"


def severe_violations(page):
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document)")
    print("axe violations by impact:", dict(Counter(v["impact"] for v in results["violations"])))
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def ask(page, text):
    count = page.locator(BOT).count()
    page.fill("#ioc-input", text)
    page.press("#ioc-input", "Enter")
    expect(page.locator(BOT)).not_to_have_count(count, timeout=TIMEOUT)


@pytest.fixture
def pages(browser, live_rasa):  # noqa: F811 (the imported fixture)
    contexts = [
        browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
        for _ in range(2)
    ]
    pages = [c.new_page() for c in contexts]
    errors = []
    for page in pages:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pages
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def test_live_handover_from_the_widget_to_the_console_and_back(pages, live_rasa, live_data_dir):
    console, user = pages
    desk = LiveDesk(path=live_data_dir / "conversations.db")

    # The employee logs in (and is then on duty).
    console.goto(f"{live_rasa.url}/console/")
    console.fill("#login-name", "anna")
    console.fill("#login-password", "wrong password")
    console.click("#login-submit")
    expect(console.locator("#login-error")).to_contain_text("klopt niet")
    console.fill("#login-password", PASSWORDS["anna"])
    console.click("#login-submit")
    expect(console.locator("#agent-name")).to_have_text("anna")
    assert not severe_violations(console)

    # The user asks something the bot can't answer, then is offered help and consents.
    user.goto(f"{live_rasa.url}/webchat/")
    user.click("#ioc-launcher")
    expect(user.locator(BOT).first).to_contain_text("computerprogramma", timeout=TIMEOUT)
    ask(user, "Hoe vraag ik een parkeervergunning aan in Zandvoort?")
    ask(user, "Ik wil een medewerker spreken")
    expect(user.locator(BOT).last).to_contain_text("klantcontactcentrum")
    bots = user.locator(BOT).count()
    user.locator(".ioc-choice").first.click()
    expect(user.locator(BOT)).not_to_have_count(bots, timeout=TIMEOUT)
    expect(user.locator(BOT).last).to_contain_text("in de rij")
    # The widget keeps the server's signed session token in this tab's sessionStorage; the
    # conversation id is "socketio:<the token's id>" (bot/channels/ids.py).
    token = user.evaluate("JSON.parse(sessionStorage.getItem('impact-chat')).sessionId")
    ident = SessionTokens(SESSION_SECRET).verify(token)
    assert ident is not None, f"not a session token of the server: {token!r}"
    handoff = desk.open_handoff(conversation_id("socketio", ident))
    assert handoff is not None and handoff.channel == "socketio"

    # The console lists it with its transcript; the employee takes it.
    item = console.locator("#queue button", has_text=f"Gesprek {handoff.id} ")
    expect(item).to_contain_text("Wacht", timeout=TIMEOUT)
    expect(item).to_contain_text("website-chat")
    item.click()
    expect(console.locator("#transcript")).to_contain_text("parkeervergunning")
    console.click("#take")
    expect(console.locator("#reply")).to_be_visible()
    expect(user.locator(BOT).last).to_contain_text(relay.TEXT_TAKEN, timeout=TIMEOUT)

    # The employee's reply appears in the user's widget, marked "Medewerker".
    console.fill("#reply", "Goedemiddag, ik help je graag verder.")
    console.click("#send")
    agent_message = user.locator(".ioc-msg.ioc-agent").last
    expect(agent_message).to_contain_text("Goedemiddag, ik help je graag verder.", timeout=TIMEOUT)
    expect(agent_message.locator(".ioc-from")).to_have_text("Medewerker")

    # The user's reply appears in the console; the bot stays quiet.
    bots = user.locator(BOT).count()
    user.fill("#ioc-input", "Dank je! Het gaat om een vergunning.")
    user.press("#ioc-input", "Enter")
    expect(console.locator("#messages li.user").last).to_contain_text(
        "Het gaat om een vergunning", timeout=TIMEOUT
    )
    expect(user.locator("#ioc-typing")).to_be_hidden()
    assert severe_violations(console) == []

    # The employee closes: the bot tells the user and answers again.
    console.click("#close")
    expect(user.locator(BOT).last).to_contain_text(relay.TEXT_CLOSED, timeout=TIMEOUT)
    assert user.locator(BOT).count() == bots + 1  # no bot reply to the message for anna
    ask(user, "Wat betekent LOL?")
    expect(user.locator("#ioc-log")).to_contain_text("Live Online Learning", timeout=TIMEOUT)
    expect(console.locator("#chat-meta")).to_contain_text("afgesloten", timeout=TIMEOUT)
