"""The project's socket.io channel in Sanic apps served from threads of the test process.

No Rasa server and no model: `chat_server(...)` builds a Sanic app with `SafeSocketIOInput`
(as Rasa registers it, from the channel's credentials) and, optionally, the widget's files
(`WebchatInput`), answers each user message with a small stand-in bot, and serves it on a free
port. Two such servers with the same SOCKETIO_REDIS_URL and REDIS_KEY_PREFIX behave like two
replicas for socket.io. `Widget` is what the chat widget does, with python-socketio's client.

    with chat_server("a", redis_env(prefix)) as a, chat_server("b", redis_env(prefix)) as b:
        user = Widget().connect(a.url)
        b.call(b.sio.emit("bot_uttered", {"text": "Hallo"}, room=user.room))
        user.wait_text("Hallo")
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
import time
from contextlib import contextmanager
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional
from unittest import mock

import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.socketio import SafeSocketIOInput
from tests.security.inprocess import serving

SESSION_SECRET = "socketio-test-session-secret"
CREDENTIALS = {
    "user_message_evt": "user_uttered",
    "bot_message_evt": "bot_uttered",
    "session_persistence": True,
}


def redis_env(prefix: str, url: Optional[str] = None) -> Dict[str, str]:
    """The settings of replicas that share socket.io through Redis (db 2 unless `url`)."""
    from tests import services

    return {
        "SOCKETIO_REDIS_URL": url or f"redis://{services.REDIS[1]}:{services.REDIS[2]}/2",
        "REDIS_KEY_PREFIX": prefix,
    }


def unique_prefix() -> str:
    return f"test-sio-{secrets.token_hex(4)}"


async def echo_bot(message: UserMessage) -> None:
    """The stand-in bot: "Je zei: <text>" (for "/greet": a greeting) to the user's room."""
    text = (
        "Hallo! Ik ben een computerprogramma."
        if message.text == "/greet"
        else f"Je zei: {message.text}"
    )
    # Through `send_response`, as Rasa does: only it passes the namespacing wrapper.
    await message.output_channel.send_response(message.sender_id, {"text": text})


class ChatServer:
    """A served app: its URL, socket.io server, channel and event loop."""

    def __init__(self, app: Sanic, channel: SafeSocketIOInput) -> None:
        self.app = app
        self.channel = channel
        self.sio: Any = channel.sio
        self.url = ""
        self.loop: Optional[asyncio.AbstractEventLoop] = None

    def call(self, coro: Awaitable[Any], timeout: float = 30) -> Any:
        """Run a coroutine on the server's event loop (where its socket.io server lives)."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]


@contextmanager
def chat_server(
    name: str,
    env: Optional[Dict[str, str]] = None,
    bot: Callable[[UserMessage], Awaitable[Any]] = echo_bot,
    webchat: bool = False,
) -> Iterator[ChatServer]:
    """Serve a Sanic app with the socket.io channel built under `env` (and SESSION_SECRET)."""
    settings_env = {"SESSION_SECRET": SESSION_SECRET, **(env or {})}
    with mock.patch.dict(os.environ, settings_env):
        if not env or "SOCKETIO_REDIS_URL" not in env:
            os.environ.pop("SOCKETIO_REDIS_URL", None)
        # Several apps in one process: Sanic's start-up rewrite of its HTTP class (touchup)
        # works on the original methods only in test mode.
        Sanic.test_mode = True
        app = Sanic(f"sio-{name}-{secrets.token_hex(3)}")
        channel = SafeSocketIOInput.from_credentials(CREDENTIALS)
        app.blueprint(channel.blueprint(bot))
        channels: List[Any] = [channel]
        if webchat:
            from bot.channels.webchat import WebchatInput

            web = WebchatInput()
            app.blueprint(web.blueprint(bot), url_prefix=web.url_prefix())
            channels.append(web)
        app.ctx.input_channels = channels
    server = ChatServer(app, channel)  # type: ignore[arg-type]

    @app.listener("after_server_start")
    async def keep_loop(_app: Any, _loop: Any) -> None:
        server.loop = asyncio.get_running_loop()

    with serving(app) as url:
        server.url = url
        yield server


class Widget:
    """What the chat widget does over socket.io: a server-issued token kept across reconnects,
    `previous` after "Nieuw gesprek", messages in and out (long-polling: no websocket-client)."""

    def __init__(self) -> None:
        self.token: Optional[str] = None
        self.received: List[Dict[str, Any]] = []
        self.client: Optional[socketio.Client] = None
        self._confirmed = threading.Event()

    def connect(self, url: str, previous: Optional[str] = None, origin: Optional[str] = None):
        self.disconnect()
        client = socketio.Client(reconnection=False)
        client.on("bot_uttered", self.received.append)
        client.on("session_confirm", self._on_confirm)
        self._confirmed.clear()
        client.connect(
            url, headers={"Origin": origin or url}, transports=["polling"], wait_timeout=20
        )
        request: Dict[str, Any] = {"session_id": self.token}
        if previous:
            request["previous"] = previous
        client.emit("session_request", request)
        assert self._confirmed.wait(20), "no session_confirm"
        self.client = client
        return self

    def new_conversation(self, url: str) -> Widget:
        """The widget's "Nieuw gesprek": forget the token, tell the server the old one."""
        previous, self.token = self.token, None
        self.received.clear()
        return self.connect(url, previous=previous)

    def _on_confirm(self, token: Any) -> None:
        if isinstance(token, str):
            self.token = token
        self._confirmed.set()

    def disconnect(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.disconnect()
            self.client = None

    def say(self, text: str) -> None:
        assert self.client is not None
        self.client.emit("user_uttered", {"message": text, "session_id": self.token})

    @property
    def room(self) -> str:
        """The socket.io room of this session (the token's id), where replies go."""
        assert self.token
        return self.token.split(".")[0]

    @property
    def conversation_id(self) -> str:
        return "socketio:" + self.room

    def texts(self) -> List[str]:
        return [m.get("text") or "" for m in self.received]

    def wait_text(self, needle: str, timeout: float = 20.0) -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.received):
                if needle in (message.get("text") or ""):
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no widget message with {needle!r}; got {self.texts()}")
