"""Socket.IO across replicas: two apps with the project's channel sharing a real Redis.

Each app is a Sanic app with `SafeSocketIOInput` in a thread of this process
(tests/channels/socketio_servers.py), so this takes seconds, not a Rasa server's minutes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from types import SimpleNamespace

import pytest
import socketio

from bot.channels.socketio import ReplicaRedisManager, start_manager, use_redis_manager
from bot.handoff.live import Handoff, Message
from bot.handoff.relay import Relay
from tests import services
from tests.channels.socketio_servers import Widget, chat_server, redis_env, unique_prefix


@pytest.fixture
def prefix():
    services.require(services.REDIS)
    return unique_prefix()  # a channel of this test only


def relay_on(server) -> Relay:
    """A relay as the Rasa server has it, delivering through this server's channels."""
    relay = Relay(
        desk=None, settings=SimpleNamespace(handoff_webhook_url="", handoff_webhook_secret="")
    )
    relay.app = server.app
    return relay


def handoff_of(user: Widget) -> Handoff:
    return Handoff(
        1, user.conversation_id, "socketio", "active", "anna", [], 0.0, 0.0, None, None, 0.0
    )


def test_an_employee_message_sent_on_replica_b_reaches_the_widget_on_replica_a(prefix):
    with chat_server("a", redis_env(prefix)) as a, chat_server("b", redis_env(prefix)) as b:
        assert isinstance(a.sio.manager, ReplicaRedisManager)
        assert a.sio.manager.channel == f"{prefix}-socketio"
        user = Widget().connect(a.url)
        try:
            # The widget's own socket: session and bot replies work as before.
            user.say("Hoi")
            user.wait_text("Je zei: Hoi")

            # `Relay.deliver` on B (as the console's request to B does) reaches the widget on A.
            message = Message(7, 1, "agent", "anna", "Hallo, ik ben Anna.", 0.0)
            b.call(relay_on(b).deliver(handoff_of(user), message, state="active"))
            said = user.wait_text("Hallo, ik ben Anna.")
            assert said["handoff"] == {"from": "agent", "state": "active", "label": "Medewerker"}

            # The same token on B (a reconnect to another replica): the same conversation,
            # and an emit on A reaches it there.
            before = user.conversation_id
            user.connect(b.url)
            assert user.conversation_id == before
            a.call(a.sio.emit("bot_uttered", {"text": "Van A naar B"}, room=user.room))
            user.wait_text("Van A naar B")
        finally:
            user.disconnect()


def test_two_sockets_of_one_session_on_two_replicas_both_get_a_reply(prefix):
    """Rooms are per process; an emit to a room reaches its members on every replica."""
    with chat_server("a", redis_env(prefix)) as a, chat_server("b", redis_env(prefix)) as b:
        first = Widget().connect(a.url)
        second = Widget()
        second.token = first.token  # another tab with the same stored session (storage=local)
        second.connect(b.url)
        try:
            first.say("Twee tabs")
            first.wait_text("Je zei: Twee tabs")
            second.wait_text("Je zei: Twee tabs")
        finally:
            first.disconnect()
            second.disconnect()


def test_without_the_setting_or_with_another_channel_nothing_crosses(prefix):
    """The control: the same emit is not delivered without a shared Redis channel."""
    with (
        chat_server("a", redis_env(prefix)) as a,
        chat_server("b") as b,
        chat_server("c", redis_env(unique_prefix())) as c,
    ):
        assert not isinstance(b.sio.manager, ReplicaRedisManager)
        user = Widget().connect(a.url)
        try:
            b.call(b.sio.emit("bot_uttered", {"text": "van B"}, room=user.room))
            c.call(c.sio.emit("bot_uttered", {"text": "van C"}, room=user.room))
            a.call(a.sio.emit("bot_uttered", {"text": "van A"}, room=user.room))
            user.wait_text("van A")
            time.sleep(0.5)
            assert user.texts() == ["van A"]
        finally:
            user.disconnect()


def test_redis_down_at_start_is_retried_with_backoff_not_in_a_busy_loop(caplog):
    """python-socketio 5.9 retries its first SUBSCRIBE at once, forever; ours backs off."""

    async def scenario():
        sio = socketio.AsyncServer(async_mode="asgi")
        manager = use_redis_manager(sio, "redis://127.0.0.1:1/0", "test-down-socketio")
        assert sio.manager is manager and manager.server is sio
        assert sio.manager_initialized is False
        started = time.monotonic()
        assert await start_manager(sio, timeout=2.5) is False
        assert time.monotonic() - started < 4
        manager.thread.cancel()

    with caplog.at_level(logging.ERROR, logger="bot.channels.socketio"):
        asyncio.run(scenario())
    attempts = [r for r in caplog.records if "cannot subscribe to Redis" in r.getMessage()]
    assert 1 <= len(attempts) <= 3, len(attempts)  # 1 s, 2 s: not thousands
