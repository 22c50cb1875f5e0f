""" "Nieuw gesprek" during a live handover: the old handover ends for the employee.

At the relay (a real live desk in SQLite, a real signed-webhook receiver) and through the
project's socket.io channel in an in-process Sanic app (tests/channels/socketio_servers.py):
only the holder of the old session's signed token can end it.
"""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest

from bot.channels.socketio import SessionTokens
from bot.handoff import relay as relay_module
from bot.handoff.live import ACTIVE, CANCELLED, CLOSED, WAITING, LiveDesk
from bot.handoff.relay import TEXT_TAKEN, TEXT_USER_LEFT, Relay
from tests.channels.socketio_servers import SESSION_SECRET, Widget, chat_server
from tests.handoff.conftest import WEBHOOK_SECRET, WebhookReceiver

TRANSCRIPT = [{"from": "user", "text": "Ik wil een medewerker spreken"}]


@pytest.fixture
def receiver():
    receiver = WebhookReceiver(WEBHOOK_SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def desk(tmp_path):
    return LiveDesk(path=tmp_path / "conversations.db")


def make_relay(desk, receiver) -> Relay:
    return Relay(
        desk,
        SimpleNamespace(
            handoff_webhook_url=receiver.url,
            handoff_webhook_secret=WEBHOOK_SECRET,
            handoff_wait_seconds=600,
        ),
    )


def wait_for(check, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def system_texts(desk, handoff_id):
    return [m.text for m in desk.messages(handoff_id) if m.sender == "system"]


def test_leaving_while_waiting_cancels_the_handover(desk, receiver):
    relay = make_relay(desk, receiver)
    desk.enqueue("socketio:oud", "socketio", TRANSCRIPT)
    handoff_id = desk.open_handoff("socketio:oud").id

    async def scenario():
        ended = await relay.leave("socketio:oud")
        again = await relay.leave("socketio:oud")
        await asyncio.sleep(0.5)  # the webhook is sent in the background
        await relay.stop()
        return ended, again

    ended, again = asyncio.run(scenario())
    assert ended.id == handoff_id and ended.status == CANCELLED
    assert again is None  # nothing open any more
    assert desk.open_handoff("socketio:oud") is None
    assert desk.position("socketio:oud") is None  # out of the queue
    assert system_texts(desk, handoff_id) == [TEXT_USER_LEFT]
    [event] = wait_for(lambda: receiver.of("handover.cancelled", handoff_id), what="the webhook")
    assert event["by"] == "user" and event["reason"] == "new_conversation"
    assert event["message"]["text"] == TEXT_USER_LEFT and event["message"]["from"] == "system"
    assert not receiver.rejected


def test_leaving_an_active_handover_closes_it_and_the_employee_can_send_no_more(desk, receiver):
    relay = make_relay(desk, receiver)
    desk.enqueue("socketio:oud", "socketio", TRANSCRIPT)
    handoff_id = desk.open_handoff("socketio:oud").id

    async def scenario():
        assert await relay.take(handoff_id, "anna")
        assert await relay.say(handoff_id, "anna", "Hoi, ik ben Anna.") is not None
        ended = await relay.leave("socketio:oud")
        late = await relay.say(handoff_id, "anna", "Ben je er nog?")
        closed_by_agent = await relay.close(handoff_id, "anna")
        await asyncio.sleep(0.5)
        await relay.stop()
        return ended, late, closed_by_agent

    ended, late, closed_by_agent = asyncio.run(scenario())
    assert ended.status == CLOSED and ended.agent == "anna"
    assert late is None and closed_by_agent is False  # the console answers 409
    assert desk.get(handoff_id).status == CLOSED
    assert [m.text for m in desk.messages(handoff_id)] == [
        TEXT_TAKEN,
        "Hoi, ik ben Anna.",
        TEXT_USER_LEFT,
    ]
    [event] = wait_for(lambda: receiver.of("handover.closed", handoff_id), what="the webhook")
    assert event["agent"] == "anna" and event["by"] == "user"
    assert event["reason"] == "new_conversation"


def test_leaving_without_a_handover_does_nothing(desk, receiver):
    relay = make_relay(desk, receiver)

    async def scenario():
        result = await relay.leave("socketio:niets")
        await relay.stop()
        return result

    assert asyncio.run(scenario()) is None
    assert desk.handoffs([WAITING, ACTIVE, CLOSED, CANCELLED]) == []


def test_nieuw_gesprek_over_socketio_only_with_the_old_sessions_own_token(
    desk, receiver, monkeypatch
):
    relay = make_relay(desk, receiver)
    monkeypatch.setattr(relay_module, "_relay", relay)  # as install() does at server start

    async def bot(message):
        """Rasa with the relay in front: handed-over conversations go to the employee."""
        if await relay.intercept(None, message):
            return
        await message.output_channel.send_response(
            message.sender_id, {"text": f"Bot: {message.text}"}
        )

    with chat_server("handover", bot=bot) as server:
        relay.app = server.app
        user = Widget().connect(server.url)
        try:
            old_token, old_conversation = user.token, user.conversation_id
            desk.enqueue(old_conversation, "socketio", TRANSCRIPT)
            handoff_id = desk.open_handoff(old_conversation).id
            assert server.call(relay.take(handoff_id, "anna"))
            user.wait_text(TEXT_TAKEN)
            user.say("Hallo Anna")
            wait_for(
                lambda: "Hallo Anna" in [m.text for m in desk.messages(handoff_id)],
                what="the user's message with the employee",
            )

            # Someone else cannot end it: a made-up token, one signed with another key, or
            # their own (valid) token, which ends only their own (empty) conversation.
            ident = old_token.split(".")[0]
            other_key = SessionTokens("another-secret")._sign(ident)
            for previous in (ident, f"{ident}.{'0' * 32}", f"{ident}.{other_key}", None):
                stranger = Widget()
                stranger.connect(server.url, previous=previous)
                stranger.new_conversation(server.url)
                stranger.disconnect()
            assert desk.get(handoff_id).status == ACTIVE

            # The user presses "Nieuw gesprek": the widget sends the old token as `previous`.
            user.new_conversation(server.url)
            assert user.conversation_id != old_conversation
            wait_for(lambda: desk.get(handoff_id).status == CLOSED, what="the handover closed")
            # The status changes first, the system message follows (Relay.leave).
            wait_for(
                lambda: system_texts(desk, handoff_id)[-1] == TEXT_USER_LEFT,
                what="the employee told the user left",
            )
            assert server.call(relay.say(handoff_id, "anna", "Hallo?")) is None
            wait_for(lambda: receiver.of("handover.closed", handoff_id), what="the webhook")

            # The new conversation is the bot's.
            user.say("Wat is social return?")
            user.wait_text("Bot: Wat is social return?")
            assert desk.open_handoff(user.conversation_id) is None
        finally:
            user.disconnect()
            server.call(relay.stop())
    assert SessionTokens(SESSION_SECRET).verify(old_token) == ident
