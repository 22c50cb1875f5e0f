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
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import logging
import secrets
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.ids import conversation_id
from bot.channels.namespacing import wrap_output
from bot.channels.rest import client_address, flood_guard
from bot.channels.rich import reply_in
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

        # python-socketio >= 5.10 made `enter_room` a coroutine that Rasa 3.6 does not
        # await (replies would never arrive); wrap it so either version works.
        enter_room = sio.enter_room
        if inspect.iscoroutinefunction(enter_room):
            import asyncio

            def enter_room_sync(*args: Any, **kwargs: Any) -> None:
                asyncio.ensure_future(enter_room(*args, **kwargs))

            sio.enter_room = enter_room_sync
        return blueprint

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

        async def say(sid: Text, text: Text) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

        async def start_session(sid: Text, token: Any = None) -> Text:
            ident = tokens.verify(token)
            if ident is None:
                token = tokens.issue()
                ident = tokens.verify(token)
            conversation = conversation_id(self.name(), ident)
            sessions[sid] = conversation
            sio.enter_room(sid, ident, namespace=self.namespace)  # the room replies go to
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)
            return conversation

        async def session_request(sid: Text, data: Any = None) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            await start_session(sid, token)

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
