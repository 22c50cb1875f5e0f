"""The real widget in chromium against the project's socket.io channel in an in-process app.

No Rasa server: a stand-in bot behind the live-desk relay (tests/channels/socketio_servers.py),
a real live desk in SQLite. Seconds instead of a server pair's minutes.
- WebSocket blocked (as by a proxy): the widget falls back to HTTP long-polling.
- "Nieuw gesprek" during a live handover: the widget asks first; then the employee's handover
  ends (closed, with a system message) and the new conversation is the bot's.
"""

from __future__ import annotations

import json
import re
import time
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from bot.handoff import relay as relay_module
from bot.handoff.live import ACTIVE, CLOSED, LiveDesk
from bot.handoff.relay import TEXT_TAKEN, TEXT_USER_LEFT, Relay
from tests.channels.socketio_servers import chat_server

TIMEOUT = 20_000
BOT = ".ioc-msg.ioc-bot"
GREETING = "computerprogramma"

# A WebSocket that always fails to open, as behind a proxy that refuses the upgrade.
BLOCK_WEBSOCKET = """
(() => {
  const Real = window.WebSocket;
  function Blocked(url, protocols) { return new Real("ws://127.0.0.1:9/blocked", protocols); }
  Blocked.prototype = Real.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach((k) => { Blocked[k] = Real[k]; });
  window.WebSocket = Blocked;
})();
"""


@pytest.fixture
def desk(tmp_path):
    return LiveDesk(path=tmp_path / "conversations.db")


@pytest.fixture
def served(desk, monkeypatch):
    relay = Relay(
        desk,
        SimpleNamespace(
            handoff_webhook_url="", handoff_webhook_secret="", handoff_wait_seconds=600
        ),
    )
    monkeypatch.setattr(relay_module, "_relay", relay)  # as install() does at server start

    async def bot(message):
        if await relay.intercept(None, message):
            return
        text = (
            "Hallo! Ik ben een computerprogramma."
            if message.text == "/greet"
            else "Bot: " + message.text
        )
        await message.output_channel.send_response(message.sender_id, {"text": text})

    with chat_server("widget", bot=bot, webchat=True) as server:
        relay.app = server.app
        yield server, relay
        server.call(relay.stop())


def open_widget(page, url):
    page.goto(f"{url}/webchat/")
    page.click("#ioc-launcher")
    expect(page.locator(BOT).first).to_contain_text(GREETING, timeout=TIMEOUT)


def ask(page, text):
    count = page.locator(BOT).count()
    page.fill("#ioc-input", text)
    page.press("#ioc-input", "Enter")
    expect(page.locator(BOT)).not_to_have_count(count, timeout=TIMEOUT)


def stored(page) -> dict:
    return json.loads(page.evaluate("sessionStorage.getItem('impact-chat')"))


def conversation_of(page) -> str:
    return "socketio:" + stored(page)["sessionId"].split(".")[0]


def test_polling_when_websocket_is_blocked(page, served):
    server, _ = served
    transports = []
    page.on(
        "request",
        lambda r: (
            transports.extend(re.findall(r"[?&]transport=(\w+)", r.url))
            if "/socket.io/" in r.url
            else None
        ),
    )
    page.add_init_script(BLOCK_WEBSOCKET)
    open_widget(page, server.url)
    ask(page, "Werkt het zonder websocket?")
    expect(page.locator(BOT).last).to_have_text(re.compile("Bot: Werkt het zonder websocket"))
    assert "polling" in transports, transports


def test_nieuw_gesprek_during_a_handover_ends_it_for_the_employee(page, served, desk):
    server, relay = served
    open_widget(page, server.url)
    old = conversation_of(page)
    desk.enqueue(old, "socketio", [{"from": "user", "text": "Ik wil een medewerker spreken"}])
    handoff_id = desk.open_handoff(old).id
    assert server.call(relay.take(handoff_id, "anna"))
    expect(page.locator(BOT).last).to_contain_text(TEXT_TAKEN, timeout=TIMEOUT)
    assert server.call(relay.say(handoff_id, "anna", "Hoi, ik ben Anna."))
    expect(page.locator(".ioc-agent").last).to_contain_text("Hoi, ik ben Anna.", timeout=TIMEOUT)

    # "Nieuw gesprek", then "Annuleren" in the question: nothing changes.
    dialogs = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.click(".ioc-restart")
    expect(page.locator(".ioc-agent").last).to_contain_text("Hoi, ik ben Anna.")
    assert dialogs and "medewerker" in dialogs[0]
    assert desk.get(handoff_id).status == ACTIVE

    # "Nieuw gesprek", then "OK": a new conversation with the bot; the handover is closed.
    page.once("dialog", lambda d: d.accept())
    page.click(".ioc-restart")
    expect(page.locator("#ioc-log")).not_to_contain_text("Hoi, ik ben Anna.")
    expect(page.locator(BOT).first).to_contain_text(GREETING, timeout=TIMEOUT)
    deadline = time.monotonic() + 10
    while desk.get(handoff_id).status != CLOSED and time.monotonic() < deadline:
        time.sleep(0.1)
    assert desk.get(handoff_id).status == CLOSED
    assert [m.text for m in desk.messages(handoff_id) if m.sender == "system"][-1] == TEXT_USER_LEFT
    assert conversation_of(page) != old
    assert stored(page).get("previous") is None  # told the server: not sent again
    ask(page, "Wat is social return?")
    expect(page.locator(BOT).last).to_have_text(re.compile("Bot: Wat is social return"))
    assert server.call(relay.say(handoff_id, "anna", "Hallo?")) is None

    # Without a handover, "Nieuw gesprek" asks nothing (an unexpected dialog would be dismissed).
    page.click(".ioc-restart")
    expect(page.locator("#ioc-log")).not_to_contain_text("social return")
    expect(page.locator(BOT).first).to_contain_text(GREETING, timeout=TIMEOUT)
