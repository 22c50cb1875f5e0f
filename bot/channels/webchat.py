"""Serves the website chat widget and its demo page at /webchat/ from the Rasa server.

Rasa registers every input channel's blueprint under `url_prefix()`; an absolute
prefix ("/webchat") is kept as it is by `urljoin("/webhooks/", "/webchat")`.
The channel receives no messages itself: the widget talks to the socketio channel.
It also serves "In mijn agenda": /webchat/agenda/<event id>.ics (bot/catalog/calendar.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import PROJECT_ROOT
from bot.catalog.calendar import event_ics, filename
from bot.catalog.schema import Event
from bot.feeds.current import live_catalog, now

logger = logging.getLogger(__name__)

WEB_DIR = PROJECT_ROOT / "web"
STATIC_DIR = WEB_DIR / "static"
NODE_MODULES = WEB_DIR / "node_modules"

# Only these files are served (no directory listing, no path from the request).
FILES: Dict[str, Path] = {
    "index.html": STATIC_DIR / "index.html",
    "widget.js": STATIC_DIR / "widget.js",
    "widget.css": STATIC_DIR / "widget.css",
    "demo.css": STATIC_DIR / "demo.css",
    "vendor/socket.io.min.js": NODE_MODULES / "socket.io-client" / "dist" / "socket.io.min.js",
}

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}

# The demo page has no inline script or style: everything comes from this server.
DEMO_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


CALENDAR_NAME = re.compile(r"([a-z0-9][a-z0-9_\-]{0,99})\.ics")


def find_event(event_id: str) -> Optional[Event]:
    """Today's event with this id (from the embedded data or the events feed), if any."""
    for event in live_catalog().snapshot().index.catalog.events:
        if event.id == event_id:
            return event
    return None


async def calendar_file(event_id: str) -> HTTPResponse:
    """The .ics file of one event; 404 when there is no such event (any more)."""
    try:
        # Loading the catalogue and feeds may block: keep it off the server's event loop.
        event = await asyncio.to_thread(find_event, event_id)
    except Exception:
        logger.exception("Could not load the events for a calendar file")
        return response.text(
            "De agenda is nu niet beschikbaar. Probeer het later nog eens.", status=503
        )
    if event is None:
        return response.text("Dit evenement bestaat niet (meer).", status=404)
    return response.raw(
        event_ics(event, now()),
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename(event)}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


def _headers(name: str) -> Dict[str, str]:
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    if name == "index.html":
        headers["Content-Security-Policy"] = DEMO_PAGE_CSP
        headers["Referrer-Policy"] = "no-referrer"
    else:
        # The widget files are embedded by other sites (the municipality's website).
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return headers


class WebchatInput(InputChannel):
    """The chat widget (widget.js, widget.css) and a demo page, at /webchat/."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def url_prefix(self) -> Text:
        return "/webchat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat", __name__)

        async def serve(name: str) -> HTTPResponse:
            path = FILES.get(name)
            if path is None:
                return response.text("Not found", status=404)
            if not path.is_file():
                return response.text(
                    f"{name} is missing: run `make web` (npm ci in web/).", status=503
                )
            return await response.file(
                path,
                headers=_headers(name),
                mime_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
            )

        @webchat.route("", methods=["GET"], strict_slashes=True)
        async def no_slash(_: Request) -> HTTPResponse:
            # Relative URLs in index.html need the trailing slash.
            return response.redirect(f"{self.url_prefix()}/")

        @webchat.route("/", methods=["GET"], strict_slashes=True)
        async def index(_: Request) -> HTTPResponse:
            return await serve("index.html")

        @webchat.route(
            "/<name:(widget\\.js|widget\\.css|demo\\.css|index\\.html)>", methods=["GET"]
        )
        async def static_file(_: Request, name: str) -> HTTPResponse:
            return await serve(name)

        @webchat.route("/vendor/socket.io.min.js", methods=["GET"])
        async def socketio_client(_: Request) -> HTTPResponse:
            return await serve("vendor/socket.io.min.js")

        @webchat.route("/agenda/<name:str>", methods=["GET"])
        async def calendar(_: Request, name: str) -> HTTPResponse:
            match = CALENDAR_NAME.fullmatch(name)
            if match is None:
                return response.text("Not found", status=404)
            return await calendar_file(match.group(1))

        return webchat
