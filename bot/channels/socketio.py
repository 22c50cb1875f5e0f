"""Rasa's socketio channel with an origin check, server-issued sessions and limits.

- Rasa 3.6 creates its `AsyncServer` with `cors_allowed_origins=[]`, which switches
  python-engineio's origin check off: any website could open a socket to the
  assistant. HTTP CORS headers come from Rasa's `--cors` (sanic-cors), so engineio
  must not add its own; instead the `connect` handler refuses other origins.
- Conversation ids are issued by the server: `session_confirm` sends a signed session
  token; a client that sends it back after a reload (`session_request`) resumes that
  conversation, any other value gets a new one. The conversation id is
  "socketio:<token id>" (bot/channels/ids.py), the sockets of a session are in the room
  "<token id>"; the `session_id` of a `user_uttered` event is ignored, the socket's
  session counts.
- The same limits as REST: message length (MAX_MESSAGE_CHARS), frame size
  (MAX_REQUEST_BYTES), metadata size and the flood limits, each answered in Dutch.
- "Nieuw gesprek" in the widget: the next `session_request` carries the old session token as
  `previous`. Only a valid token (signed by the server, kept by that widget) ends the open live
  handover of the old conversation (`Relay.leave`); the new session is a new conversation.
- Several replicas (SOCKETIO_REDIS_URL): Rasa builds its `AsyncServer` without a client
  manager, so an emit on one process reaches only the sockets of that process. With the setting,
  the server gets python-socketio's `AsyncRedisManager` (pub/sub channel
  "<REDIS_KEY_PREFIX>-socketio"): an emit to a room is published, and every process emits it to
  its own members of that room (rooms themselves stay per process; `enter_room` is sync in
  5.9). Emits to the socket whose event is being handled stay local (`ignore_queue`). The queue
  messages are pickled: that Redis must be private (docs/widget.md "Several replicas").
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import logging
import secrets
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Iterable, List, Optional, Text

import socketio
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.ids import conversation_id
from bot.channels.namespacing import wrap_output
from bot.channels.rest import client_address, flood_guard
from bot.channels.rich import reply_in
from bot.handoff import relay as relay_module
from bot.replies import render
from bot.settings import Settings
from bot.text.notices import MESSAGE_TOO_LONG, TOO_MANY_MESSAGES

logger = logging.getLogger(__name__)


class SessionTokens:
    """Signed session tokens "<id>.<hmac>"; only the server can make a valid one."""

    def __init__(self, secret: Optional[str] = None) -> None:
        self._key = (secret or secrets.token_hex(32)).encode()

    def _sign(self, ident: str) -> str:
        return hmac.new(self._key, ident.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        ident = secrets.token_hex(16)
        return f"{ident}.{self._sign(ident)}"

    def verify(self, token: Any) -> Optional[str]:
        """The id of a valid token, else None."""
        if not isinstance(token, str) or len(token) > 100:
            return None
        ident, _, signature = token.partition(".")
        if ident and hmac.compare_digest(signature, self._sign(ident)):
            return ident
        return None


def allowed_origins(value: Optional[str] = None) -> List[str]:
    """The origins from CORS_ORIGINS (comma-separated), without trailing slashes."""
    raw = Settings.from_env().cors_origins if value is None else value
    return [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]


def origin_allowed(origin: Optional[str], environ: Dict[str, Any], allowed: Iterable[str]) -> bool:
    """True for the configured origins and for the server's own origin (the demo page).

    A request without an Origin header does not come from a web page (scripts,
    apps); the browser always sends one, so pages elsewhere are refused.
    """
    if not origin:
        return True
    origin = origin.rstrip("/")
    allowed = list(allowed)
    if "*" in allowed or origin in allowed:
        return True
    host = environ.get("HTTP_HOST")
    scheme = environ.get("wsgi.url_scheme", "http")
    own = {f"{scheme}://{host}"} if host else set()
    forwarded = environ.get("HTTP_X_FORWARDED_PROTO")
    if host and forwarded:
        own.add(f"{forwarded.split(',')[0].strip()}://{host}")
    return origin in own


REDIS_READY_SECONDS = 10.0


def redis_channel(settings: Settings) -> str:
    """The pub/sub channel the replicas of one deployment share."""
    return f"{settings.redis_key_prefix}-socketio"


class ReplicaRedisManager(socketio.AsyncRedisManager):
    """python-socketio's Redis client manager, with two fixes for python-socketio 5.9:

    - its first SUBSCRIBE is outside its retry loop: with Redis down at start the listener
      task would fail and restart at once, forever (a busy loop). Here it is retried with
      backoff, like its later reconnects;
    - `ready` is set once the channel is subscribed, so the server can wait for it at start
      (an emit published before that would never reach this process's sockets).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ready = asyncio.Event()

    async def _listen(self) -> AsyncIterator[bytes]:
        channel = self.channel.encode("utf-8")
        delay = 1.0
        while True:
            try:
                await self.pubsub.subscribe(self.channel)
                break
            except Exception as error:  # redis' errors; the next attempt reconnects
                logger.error(
                    "socket.io: cannot subscribe to Redis (%s); retrying in %s s",
                    type(error).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                self._redis_connect()
        self.ready.set()
        async for message in self._redis_listen_with_retries():
            if message["channel"] == channel and message["type"] == "message" and "data" in message:
                yield message["data"]


def use_redis_manager(sio: Any, url: str, channel: str) -> ReplicaRedisManager:
    """Give a python-socketio `AsyncServer` (made without a client manager) the Redis manager.

    `manager_initialized` stays False: the manager starts its listener on the first
    connection, or earlier with `start_manager` (the blueprint does that at server start).
    """
    manager = ReplicaRedisManager(url, channel=channel)
    sio.manager = manager
    manager.set_server(sio)
    sio.manager_initialized = False
    return manager


async def start_manager(sio: Any, timeout: float = REDIS_READY_SECONDS) -> bool:
    """Start the client manager now and wait (at most `timeout`) until it listens.

    False when Redis did not answer in time (the listener keeps trying in the background).
    """
    if not sio.manager_initialized:
        sio.manager_initialized = True
        sio.manager.initialize()
    ready = getattr(sio.manager, "ready", None)
    if ready is None:
        return True
    try:
        await asyncio.wait_for(ready.wait(), timeout)
        return True
    except asyncio.TimeoutError:
        return False


class CardsSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output; a result list goes out as one message with cards."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        reply = reply_in(message)
        if reply is None:
            await super().send_response(recipient_id, message)
        else:
            await self._send_message(recipient_id, render.widget_message(reply))


def with_cards(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[Any]]:
    """Wrap Rasa's message handler so replies go through `CardsSocketIOOutput`."""

    async def handler(message: UserMessage) -> Any:
        output = message.output_channel
        if type(output) is SocketIOOutput:
            message.output_channel = CardsSocketIOOutput(output.sio, output.bot_message_evt)
        return await on_new_message(message)

    return handler


class SafeSocketIOInput(SocketIOInput):
    """The socketio channel (same name and settings) with an origin check."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Replies to a conversation id or to its session id (the room of its sockets)."""
        output = super().get_output_channel()
        if type(output) is SocketIOOutput:
            output = CardsSocketIOOutput(output.sio, output.bot_message_evt)
        return wrap_output(output, self.name()) if output is not None else None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        origins = (credentials or {}).get("cors_origins")
        channel.allowed_origins = allowed_origins(origins)
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(with_cards(on_new_message))
        sio = self.sio
        assert sio is not None
        namespace = self.namespace or "/"
        rasa_connect = sio.handlers[namespace]["connect"]
        origins = getattr(self, "allowed_origins", None) or allowed_origins()

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if not origin_allowed(origin, environ, origins):
                logger.warning("Refused a socket.io connection from origin %s", origin)
                return False
            return await rasa_connect(sid, environ, auth)

        sio.on("connect", handler=connect, namespace=self.namespace)
        self._secure_sessions(sio, on_new_message)
        self._share_across_replicas(sio, blueprint)

        # python-socketio >= 5.10 made `enter_room` a coroutine that Rasa 3.6 does not
        # await (replies would never arrive); wrap it so either version works.
        enter_room = sio.enter_room
        if inspect.iscoroutinefunction(enter_room):
            import asyncio

            def enter_room_sync(*args: Any, **kwargs: Any) -> None:
                asyncio.ensure_future(enter_room(*args, **kwargs))

            sio.enter_room = enter_room_sync
        return blueprint

    def _share_across_replicas(self, sio: Any, blueprint: Blueprint) -> None:
        """The Redis client manager when SOCKETIO_REDIS_URL is set (see the module docstring)."""
        settings = Settings.from_env()
        if not settings.socketio_redis_url:
            if settings.tracker_store == "postgresql":
                logger.warning(
                    "TRACKER_STORE=postgresql without SOCKETIO_REDIS_URL: with more than one "
                    "Rasa process, messages for a widget on another process are lost"
                )
            return
        channel = redis_channel(settings)
        use_redis_manager(sio, settings.socketio_redis_url, channel)

        @blueprint.listener("after_server_start")
        async def listen_to_redis(_app: Any, _loop: Any) -> None:
            if await start_manager(sio):
                logger.info("socket.io: sharing emits through Redis (channel %s)", channel)
            else:
                logger.error(
                    "socket.io: Redis (SOCKETIO_REDIS_URL) does not answer; widgets on other "
                    "replicas miss messages until it does"
                )

    def _secure_sessions(
        self, sio: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Replace Rasa's session and message handlers (see the module docstring)."""
        settings = Settings.from_env()
        sio.eio.max_http_buffer_size = settings.max_request_bytes
        tokens = SessionTokens(settings.session_secret)
        guard = flood_guard(settings)
        sessions: Dict[Text, Text] = {}  # socket id -> conversation id

        def address(sid: Text) -> Optional[str]:
            environ = sio.get_environ(sid, namespace=self.namespace) or {}
            request = environ.get("sanic.request")
            return client_address(request) if request is not None else None

        # The socket of the event being handled is on this process: no detour through Redis.
        async def say(sid: Text, text: Text) -> None:
            await sio.emit(
                self.bot_message_evt,
                {"text": text},
                room=sid,
                namespace=self.namespace,
                ignore_queue=True,
            )

        async def start_session(sid: Text, token: Any = None) -> Text:
            ident = tokens.verify(token)
            if ident is None:
                token = tokens.issue()
                ident = tokens.verify(token)
            conversation = conversation_id(self.name(), ident)
            sessions[sid] = conversation
            sio.enter_room(sid, ident, namespace=self.namespace)  # the room replies go to
            await sio.emit(
                "session_confirm", token, room=sid, namespace=self.namespace, ignore_queue=True
            )
            return conversation

        async def leave_previous(previous: Any, current: Text) -> None:
            """ "Nieuw gesprek": end the live handover of the session the widget left."""
            ident = tokens.verify(previous)
            if ident is None:
                return
            old = conversation_id(self.name(), ident)
            relay = relay_module.current()
            if old == current or relay is None:
                return
            try:
                ended = await relay.leave(old)
            except Exception:
                logger.exception("Could not end the handover of a conversation the user left")
                return
            if ended is not None:
                logger.info("socketio: handoff %s ended by a new conversation", ended.id)

        async def session_request(sid: Text, data: Any = None) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            conversation = await start_session(sid, token)
            if isinstance(data, dict) and data.get("previous"):
                await leave_previous(data["previous"], conversation)

        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)

        async def handle_message(sid: Text, data: Any = None) -> None:
            if not isinstance(data, dict):
                return
            conversation = sessions.get(sid) or await start_session(sid)
            text = data.get("message")
            if not isinstance(text, str):
                text = ""
            if len(text) > settings.max_message_chars:
                await say(sid, MESSAGE_TOO_LONG)
                return
            if not guard.allow(conversation, address(sid)):
                logger.info("socketio: rate limit reached, message refused")
                await say(sid, TOO_MANY_MESSAGES)
                return
            metadata = data.get(self.metadata_key) or {}
            try:
                if isinstance(metadata, str):
                    metadata = json.loads(metadata)
            except ValueError:
                metadata = {}
            if (
                not isinstance(metadata, dict)
                or len(json.dumps(metadata)) > settings.max_metadata_bytes
            ):
                metadata = {}
            await on_new_message(
                UserMessage(
                    text,
                    wrap_output(CardsSocketIOOutput(sio, self.bot_message_evt), self.name()),
                    conversation,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )

        sio.on("session_request", handler=session_request, namespace=self.namespace)
        sio.on("disconnect", handler=disconnect, namespace=self.namespace)
        sio.on(self.user_message_evt, handler=handle_message, namespace=self.namespace)
