"""The helpdesk's side of a live handover, served by the Rasa server.

- `ConsoleInput` at /console/: the agent console (web/console/) and its JSON API, behind a
  login (bot.handoff.console).
- `HandoffApiInput` at /handoff/api/v1/: the same for a municipality's own live-chat system,
  authenticated with HMAC-SHA256 signatures (bot.handoff.signing; docs/handoff-api.yaml).

Neither receives user messages. Both share one `Relay` (bot.handoff.relay), installed at server
start: from then on, messages of a handed-over conversation go to the employee, not the bot.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from urllib.parse import urlparse

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import PROJECT_ROOT
from bot.handoff import relay as relay_module
from bot.handoff.console import AccountError, Accounts, Sessions, parse_accounts
from bot.handoff.live import ACTIVE, OPEN_STATES, WAITING, LiveDesk
from bot.handoff.relay import Relay
from bot.handoff.signing import ReplayGuard, verify
from bot.settings import Settings

logger = logging.getLogger(__name__)

CONSOLE_DIR = PROJECT_ROOT / "web" / "console"
CONSOLE_FILES: Dict[str, Path] = {
    "index.html": CONSOLE_DIR / "index.html",
    "console.js": CONSOLE_DIR / "console.js",
    "console.css": CONSOLE_DIR / "console.css",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
COOKIE = "kcc_session"
MAX_TEXT = 4000

_shared: Dict[str, Any] = {}


def shared_relay(settings: Optional[Settings] = None) -> Relay:
    """The one relay of this server process (created on first use)."""
    if "relay" not in _shared:
        settings = settings or Settings.from_env()
        _shared["relay"] = Relay(LiveDesk(settings), settings)
    return _shared["relay"]


def _install_listeners(blueprint: Blueprint, relay: Relay) -> None:
    @blueprint.listener("after_server_start")
    async def start_relay(app: Any, _loop: Any) -> None:
        relay_module.install(relay)
        relay.attach(app)
        logger.debug("Live desk relay installed")

    @blueprint.listener("before_server_stop")
    async def stop_relay(_app: Any, _loop: Any) -> None:
        await relay.stop()


def _json_body(request: Request) -> Dict[str, Any]:
    body = request.json
    if not isinstance(body, dict):
        raise InvalidUsage("Send a JSON object.")
    return body


def _text(body: Dict[str, Any], key: str = "text") -> str:
    text = body.get(key)
    if not isinstance(text, str) or not text.strip():
        raise InvalidUsage(f"'{key}' must be a non-empty string.")
    if len(text) > MAX_TEXT:
        raise InvalidUsage(f"'{key}' is longer than {MAX_TEXT} characters.")
    return text.strip()


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _handoff_list(desk: LiveDesk) -> Dict[str, Any]:
    items = desk.handoffs(OPEN_STATES)
    waiting = [h for h in items if h.status == WAITING]
    result = []
    for h in items:
        entry = h.as_json()
        entry.pop("transcript")
        if h.status == WAITING:
            entry["position"] = waiting.index(h) + 1
        result.append(entry)
    return {"handoffs": result}


def _recent_contact_requests(settings: Settings, limit: int = 50) -> list:
    """Reference, who, how to reach them, the question, and the state of each delivery."""
    from bot.handoff.outbox import open_outbox

    if "outbox" not in _shared:
        _shared["outbox"] = open_outbox(settings.data_dir)
    keys = ("reference", "name", "email", "phone", "question", "channel", "created_at")
    return [
        {
            **{k: item.get(k) for k in keys},
            "deliveries": [
                {"adapter": d["adapter"], "status": d["status"], "attempts": d["attempts"]}
                for d in item.get("deliveries", [])
            ],
        }
        for item in _shared["outbox"].recent(limit)
    ]


class ConsoleInput(InputChannel):
    """The agent console at /console/."""

    @classmethod
    def name(cls) -> Text:
        return "console"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def url_prefix(self) -> Text:
        return "/console"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = Settings.from_env()
        relay = shared_relay(settings)
        desk = relay.desk
        try:
            accounts = Accounts(parse_accounts(settings.console_accounts))
        except AccountError as error:
            logger.error("%s: nobody can log in to the agent console", error)
            accounts = Accounts({})
        if not accounts.accounts:
            logger.warning("No CONSOLE_ACCOUNTS: nobody can log in to the agent console")
        sessions = Sessions(
            settings.data_dir / "handoff-console.sqlite3", settings.console_session_minutes
        )
        console = Blueprint("handoff_console", __name__)
        _install_listeners(console, relay)

        def same_origin(request: Request) -> bool:
            origin = request.headers.get("origin")
            return not origin or urlparse(origin).netloc == request.host

        def agent_of(request: Request) -> Optional[str]:
            return sessions.agent(request.cookies.get(COOKIE))

        def guarded(handler):
            """Logged-in employees only; state changes only from this page, as JSON."""

            async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                agent = agent_of(request)
                if agent is None:
                    return _error(401, "Log in first.")
                if request.method == "POST" and (
                    not same_origin(request)
                    or "application/json" not in request.headers.get("content-type", "")
                ):
                    return _error(403, "Requests must come from the console page.")
                desk.seen(agent)
                return await handler(request, agent, *args, **kwargs)

            wrapped.__name__ = handler.__name__
            return wrapped

        async def serve(name: str) -> HTTPResponse:
            path = CONSOLE_FILES[name]
            headers = {
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-cache",
                "Content-Security-Policy": CONSOLE_CSP,
                "Referrer-Policy": "no-referrer",
                "X-Frame-Options": "DENY",
            }
            return await response.file(path, headers=headers, mime_type=CONTENT_TYPES[path.suffix])

        @console.route("", methods=["GET"], strict_slashes=True)
        async def no_slash(_: Request) -> HTTPResponse:
            return response.redirect("/console/")

        @console.route("/", methods=["GET"], strict_slashes=True)
        async def index(_: Request) -> HTTPResponse:
            return await serve("index.html")

        @console.route("/<name:(console\\.js|console\\.css)>", methods=["GET"])
        async def static_file(_: Request, name: str) -> HTTPResponse:
            return await serve(name)

        @console.route("/api/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            if not same_origin(request):
                return _error(403, "Log in from the console page.")
            body = _json_body(request)
            name, password = body.get("name"), body.get("password")
            if not isinstance(name, str) or not isinstance(password, str):
                raise InvalidUsage("'name' and 'password' must be strings.")
            if accounts.locked(name):
                return _error(
                    429, "Te vaak een verkeerd wachtwoord. Probeer het over een minuut opnieuw."
                )
            import asyncio

            if not await asyncio.to_thread(accounts.check, name, password):
                return _error(401, "Naam of wachtwoord klopt niet.")
            token = sessions.create(name)
            desk.seen(name)
            resp = response.json({"agent": name})
            resp.cookies[COOKIE] = token
            cookie = resp.cookies[COOKIE]
            cookie["httponly"] = True
            cookie["samesite"] = "Strict"
            cookie["path"] = "/console"
            cookie["max-age"] = int(sessions.lifetime)
            if request.scheme == "https" or request.headers.get("x-forwarded-proto") == "https":
                cookie["secure"] = True
            return resp

        @console.route("/api/logout", methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            agent = agent_of(request)
            if agent:
                desk.off_duty(agent)
            sessions.end(request.cookies.get(COOKIE))
            resp = response.json({"ok": True})
            resp.cookies[COOKIE] = ""
            resp.cookies[COOKIE]["path"] = "/console"
            resp.cookies[COOKIE]["max-age"] = 0
            return resp

        @console.route("/api/me", methods=["GET"])
        @guarded
        async def me(_: Request, agent: str) -> HTTPResponse:
            return response.json({"agent": agent})

        @console.route("/api/handoffs", methods=["GET"])
        @guarded
        async def handoffs(_: Request, agent: str) -> HTTPResponse:
            return response.json({"agent": agent, **_handoff_list(desk)})

        @console.route("/api/handoffs/<handoff_id:int>", methods=["GET"])
        @guarded
        async def handoff(request: Request, agent: str, handoff_id: int) -> HTTPResponse:
            found = desk.get(handoff_id)
            if found is None:
                return _error(404, "Dit gesprek bestaat niet (meer).")
            try:
                after = int(request.args.get("after", "0"))
            except ValueError:
                raise InvalidUsage("'after' must be a number.") from None
            return response.json(
                {
                    "handoff": found.as_json(),
                    "messages": [m.as_json() for m in desk.messages(handoff_id, after)],
                    "mine": found.status == ACTIVE and found.agent == agent,
                }
            )

        @console.route("/api/contact-requests", methods=["GET"])
        @guarded
        async def contact_requests(_: Request, agent: str) -> HTTPResponse:
            """The latest contact requests from the outbox, read-only."""
            import asyncio

            return response.json(
                {"contact_requests": await asyncio.to_thread(_recent_contact_requests, settings)}
            )

        @console.route("/api/handoffs/<handoff_id:int>/take", methods=["POST"])
        @guarded
        async def take(_: Request, agent: str, handoff_id: int) -> HTTPResponse:
            if await relay.take(handoff_id, agent):
                return response.json({"ok": True})
            return _error(
                409, "Een collega heeft dit gesprek al overgenomen, of het is niet meer open."
            )

        @console.route("/api/handoffs/<handoff_id:int>/messages", methods=["POST"])
        @guarded
        async def say(request: Request, agent: str, handoff_id: int) -> HTTPResponse:
            stored = await relay.say(handoff_id, agent, _text(_json_body(request)))
            if stored is None:
                return _error(409, "Je hebt dit gesprek niet (meer) open.")
            return response.json(stored.as_json())

        @console.route("/api/handoffs/<handoff_id:int>/close", methods=["POST"])
        @guarded
        async def close(_: Request, agent: str, handoff_id: int) -> HTTPResponse:
            if await relay.close(handoff_id, agent):
                return response.json({"ok": True})
            return _error(409, "Je hebt dit gesprek niet (meer) open.")

        return console


class HandoffApiInput(InputChannel):
    """The live-chat API at /handoff/api/v1/ for a municipality's own live-chat system."""

    @classmethod
    def name(cls) -> Text:
        return "handoff_api"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def url_prefix(self) -> Text:
        return "/handoff/api/v1"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = Settings.from_env()
        relay = shared_relay(settings)
        desk = relay.desk
        secret = settings.handoff_webhook_secret
        replays = ReplayGuard()
        api = Blueprint("handoff_api", __name__)
        _install_listeners(api, relay)

        def signed(handler):
            async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                if not secret:
                    return _error(503, "The live-chat API is off: set HANDOFF_WEBHOOK_SECRET.")
                body = request.body or b""
                if not verify(secret, dict(request.headers), body):
                    return _error(401, "Missing, wrong or outdated signature.")
                if not replays.first_use(dict(request.headers)):
                    return _error(409, "This request was sent before (replay).")
                return await handler(request, *args, **kwargs)

            wrapped.__name__ = handler.__name__
            return wrapped

        def agent_of(body: Dict[str, Any]) -> str:
            agent = body.get("agent")
            if not isinstance(agent, str) or not agent.strip() or len(agent) > 100:
                raise InvalidUsage("'agent' must be a non-empty string (the employee's name).")
            return agent.strip()

        @api.route("/conversations", methods=["GET"])
        @signed
        async def conversations(_: Request) -> HTTPResponse:
            return response.json(_handoff_list(desk))

        @api.route("/conversations/<handoff_id:int>", methods=["GET"])
        @signed
        async def conversation(request: Request, handoff_id: int) -> HTTPResponse:
            found = desk.get(handoff_id)
            if found is None:
                return _error(404, "No such handover.")
            return response.json(
                {
                    "handoff": found.as_json(),
                    "messages": [m.as_json() for m in desk.messages(handoff_id)],
                }
            )

        @api.route("/presence", methods=["POST"])
        @signed
        async def presence(request: Request) -> HTTPResponse:
            body = _json_body(request)
            agent = agent_of(body)
            if body.get("on_duty", True):
                desk.seen(agent)
            else:
                desk.off_duty(agent)
            return response.json({"ok": True})

        @api.route("/conversations/<handoff_id:int>/take", methods=["POST"])
        @signed
        async def take(request: Request, handoff_id: int) -> HTTPResponse:
            if await relay.take(handoff_id, agent_of(_json_body(request))):
                return response.json({"ok": True})
            return _error(409, "Already taken, or not waiting.")

        @api.route("/conversations/<handoff_id:int>/messages", methods=["POST"])
        @signed
        async def say(request: Request, handoff_id: int) -> HTTPResponse:
            body = _json_body(request)
            stored = await relay.say(handoff_id, agent_of(body), _text(body))
            if stored is None:
                return _error(409, "This employee does not have this conversation.")
            return response.json(stored.as_json())

        @api.route("/conversations/<handoff_id:int>/close", methods=["POST"])
        @signed
        async def close(request: Request, handoff_id: int) -> HTTPResponse:
            if await relay.close(handoff_id, agent_of(_json_body(request))):
                return response.json({"ok": True})
            return _error(409, "This employee does not have this conversation open.")

        return api
