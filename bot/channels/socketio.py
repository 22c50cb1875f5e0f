"""Rasa's socketio channel, accepting connections only from the configured origins.

Rasa 3.6 creates its `AsyncServer` with `cors_allowed_origins=[]`, which switches
python-engineio's origin check off: any website could open a socket to the
assistant. HTTP CORS headers come from Rasa's `--cors` (sanic-cors), so engineio
must not add its own; instead the `connect` handler refuses other origins.
"""
from __future__ import annotations

import inspect
import logging
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.rich import reply_in
from bot.replies import render
from bot.settings import Settings

logger = logging.getLogger(__name__)



def allowed_origins(value: Optional[str] = None) -> List[str]:
    """The origins from CORS_ORIGINS (comma-separated), without trailing slashes."""
    raw = Settings.from_env().cors_origins if value is None else value
    return [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]


def origin_allowed(origin: Optional[str], environ: Dict[str, Any],
                   allowed: Iterable[str]) -> bool:
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


def with_cards(on_new_message: Callable[[UserMessage], Awaitable[Any]]
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

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        origins = (credentials or {}).get("cors_origins")
        channel.allowed_origins = allowed_origins(origins)  # type: ignore[attr-defined]
        return channel

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
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

        # python-socketio >= 5.10 made `enter_room` a coroutine that Rasa 3.6 does not
        # await (replies would never arrive); wrap it so either version works.
        enter_room = sio.enter_room
        if inspect.iscoroutinefunction(enter_room):
            import asyncio

            def enter_room_sync(*args: Any, **kwargs: Any) -> None:
                asyncio.ensure_future(enter_room(*args, **kwargs))

            sio.enter_room = enter_room_sync  # type: ignore[assignment]
        return blueprint
