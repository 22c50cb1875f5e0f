"""The helpdesk's side of a live handover, served by the Rasa server.

- `ConsoleInput` at /console/: the agent console (web/console/) and its JSON API, behind a
  login (bot.handoff.console).
- `HandoffApiInput` at /handoff/api/v1/: the same for a municipality's own live-chat system,
  authenticated with HMAC-SHA256 signatures (bot.handoff.signing; docs/handoff-api.yaml).

Neither receives user messages. Both share one `Relay` (bot.handoff.relay), installed at server
start: from then on, messages of a handed-over conversation go to the employee, not the bot.

Console hardening:
- every console request (pages, API, login and logout) with a foreign `Origin` or with
  `Sec-Fetch-Site: cross-site|same-site` is refused (403); Rasa's CORS does not cover /console
  (bot/rasa_patches.py `server.configure_cors`);
- the session cookie is `__Host-kcc_session` (Path=/, Secure, HttpOnly, SameSite=Strict); only
  CONSOLE_INSECURE_COOKIE=true (development over http) makes it a plain `kcc_session`;
- each request checks the session (lifetime, CONSOLE_IDLE_MINUTES), that the employee is still
  in CONSOLE_ACCOUNTS and that the password did not change (the session's fingerprint), else
  401 and the session ends;
- logins are throttled before the password is checked (bot.handoff.console.LoginThrottle);
- console JSON is `Cache-Control: no-store`;
- viewing, taking, answering and closing a conversation and seeing contact requests are written
  to the audit log (bot.handoff.audit), without message text; a repeated view of the same
  conversation or contact request by the same employee (the console polls) is recorded at most
  once per AUDIT_REPEAT_SECONDS.
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
from bot.counters import Counters, CountersUnavailable, shared_counters
from bot.handoff import relay as relay_module
from bot.handoff.audit import AuditLog
from bot.handoff.console import NAME_PATTERN, AccountError, Accounts, LoginThrottle
from bot.handoff.db import handoff_db
from bot.handoff.live import ACTIVE, OPEN_STATES, WAITING, LiveDesk
from bot.handoff.relay import Relay
from bot.handoff.sessions import Sessions, fingerprint
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
COOKIE = "__Host-kcc_session"
INSECURE_COOKIE = "kcc_session"  # CONSOLE_INSECURE_COOKIE=true only (development over http)
MAX_TEXT = 4000
AUDIT_REPEAT_SECONDS = 600.0
JSON_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}

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


def foreign_request(request: Request) -> bool:
    """True for a request another site made the browser send (CSRF, cross-site reads)."""
    origin = request.headers.get("origin")
    if origin is not None and (origin == "null" or urlparse(origin).netloc != request.host):
        return True
    return request.headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site")


def cookie_name(settings: Settings) -> str:
    return INSECURE_COOKIE if settings.console_insecure_cookie else COOKIE


def set_session_cookie(
    resp: HTTPResponse, settings: Settings, token: str, max_age: int
) -> HTTPResponse:
    """The session cookie: `__Host-` (Path=/, Secure, no Domain), HttpOnly, SameSite=Strict."""
    name = cookie_name(settings)
    resp.cookies[name] = token
    cookie = resp.cookies[name]
    cookie["path"] = "/"
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = max_age
    if not settings.console_insecure_cookie:
        cookie["secure"] = True
    return resp


class Audit:
    """The audit log, with repeated views (polling) recorded at most once per period."""

    def __init__(self, log: AuditLog, counters: Counters) -> None:
        self.log = log
        self.counters = counters

    def _first_time(self, actor: str, action: str, subject_id: str) -> bool:
        try:
            return self.counters.claim(f"audit:{action}:{actor}:{subject_id}", AUDIT_REPEAT_SECONDS)
        except CountersUnavailable:
            return True  # record too often rather than not at all

    def record(self, actor: str, action: str, subject_type: str, subject_id: Any) -> None:
        self.log.record(actor, action, subject_type, str(subject_id))

    def seen(self, actor: str, action: str, subject_type: str, ids: list) -> None:
        """Record `action` for each id not recorded for this actor within the period."""
        new = [str(i) for i in ids if self._first_time(actor, action, str(i))]
        for subject_id in new:
            self.log.record(actor, action, subject_type, subject_id)


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
    from bot.handoff.outbox import Outbox

    if "outbox" not in _shared:
        _shared["outbox"] = Outbox.from_settings(settings)
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
            accounts = Accounts.from_setting(settings.console_accounts)
        except AccountError as error:
            logger.error("%s: nobody can log in to the agent console", error)
            accounts = Accounts({})
        if not accounts.accounts:
            logger.warning("No CONSOLE_ACCOUNTS: nobody can log in to the agent console")
        if settings.console_insecure_cookie:
            logger.warning("CONSOLE_INSECURE_COOKIE=true: the console cookie is sent over http")
        db = handoff_db(settings)
        sessions = Sessions(
            db, settings.console_session_minutes, idle_minutes=settings.console_idle_minutes
        )
        counters = shared_counters(settings)
        throttle = LoginThrottle(counters)
        audit = Audit(AuditLog(db), counters)
        cookie = cookie_name(settings)
        console = Blueprint("handoff_console", __name__)
        _install_listeners(console, relay)

        @console.middleware("request")
        async def refuse_foreign(request: Request) -> Optional[HTTPResponse]:
            if foreign_request(request):
                logger.info("Console: a request from another site was refused")
                return _error(403, "Open de console via het eigen adres, niet via een andere site.")
            return None

        @console.middleware("response")
        async def no_store(request: Request, resp: HTTPResponse) -> None:
            if request.path.startswith("/console/api/"):
                resp.headers.update(JSON_HEADERS)

        def current_agent(request: Request) -> Optional[str]:
            """The employee of a valid session whose account and password are unchanged."""
            token = request.cookies.get(cookie)
            info = sessions.lookup(token)
            if info is None:
                return None
            hashed = accounts.password_hash(info.agent)
            if hashed is None or fingerprint(hashed) != info.fingerprint:
                logger.info("Console: a session ended (account removed or password changed)")
                sessions.end(token)
                return None
            return info.agent

        def guarded(handler):
            """Logged-in employees only; state changes only as JSON."""

            async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                agent = current_agent(request)
                if agent is None:
                    resp = _error(401, "Log eerst in.")
                    if request.cookies.get(cookie):
                        set_session_cookie(resp, settings, "", 0)
                    return resp
                if request.method == "POST" and "application/json" not in request.headers.get(
                    "content-type", ""
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
            body = _json_body(request)
            name, password = body.get("name"), body.get("password")
            if not isinstance(name, str) or not isinstance(password, str):
                raise InvalidUsage("'name' and 'password' must be strings.")
            address = request.remote_addr or request.ip or "unknown"
            if not throttle.attempt(name, address):
                return _error(
                    429,
                    "Te vaak geprobeerd in te loggen. Probeer het over een kwartier opnieuw.",
                )
            if not NAME_PATTERN.match(name) or len(password) > 1024:
                return _error(401, "Naam of wachtwoord klopt niet.")
            ok = await accounts.verify(name, password)
            if ok is None:
                return _error(503, "Het is nu erg druk. Probeer het zo opnieuw.")
            hashed = accounts.password_hash(name)
            if not ok or hashed is None:
                return _error(401, "Naam of wachtwoord klopt niet.")
            throttle.succeeded(name, address)
            token = sessions.create(name, fingerprint(hashed))
            desk.seen(name)
            audit.record(name, "login", "console", name)
            return set_session_cookie(
                response.json({"agent": name}), settings, token, int(sessions.lifetime)
            )

        @console.route("/api/logout", methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            agent = current_agent(request)
            if agent:
                desk.off_duty(agent)
                audit.record(agent, "logout", "console", agent)
            sessions.end(request.cookies.get(cookie))
            return set_session_cookie(response.json({"ok": True}), settings, "", 0)

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
            audit.seen(agent, "view", "handoff", [handoff_id])
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

            items = await asyncio.to_thread(_recent_contact_requests, settings)
            audit.seen(agent, "list", "contact_request", [i["reference"] for i in items])
            return response.json({"contact_requests": items})

        @console.route("/api/handoffs/<handoff_id:int>/take", methods=["POST"])
        @guarded
        async def take(_: Request, agent: str, handoff_id: int) -> HTTPResponse:
            if await relay.take(handoff_id, agent):
                audit.record(agent, "take", "handoff", handoff_id)
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
            audit.record(agent, "answer", "handoff", handoff_id)
            return response.json(stored.as_json())

        @console.route("/api/handoffs/<handoff_id:int>/close", methods=["POST"])
        @guarded
        async def close(_: Request, agent: str, handoff_id: int) -> HTTPResponse:
            if await relay.close(handoff_id, agent):
                audit.record(agent, "close", "handoff", handoff_id)
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
        secret = settings.handoff_api_secret
        replays = ReplayGuard(counters=shared_counters(settings))
        audit = Audit(AuditLog(handoff_db(settings)), shared_counters(settings))
        api = Blueprint("handoff_api", __name__)
        _install_listeners(api, relay)

        def signed(handler):
            async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                if not secret:
                    return _error(503, "The live-chat API is off: set HANDOFF_API_SECRET.")
                body = request.body or b""
                path = request.path + (f"?{request.query_string}" if request.query_string else "")
                headers = dict(request.headers)
                if not verify(secret, headers, body, method=request.method, path=path):
                    return _error(401, "Missing, wrong or outdated signature.")
                if not replays.first_use(headers):
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
            audit.record("api", "view", "handoff", handoff_id)
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
            agent = agent_of(_json_body(request))
            if await relay.take(handoff_id, agent):
                audit.record(f"api:{agent}", "take", "handoff", handoff_id)
                return response.json({"ok": True})
            return _error(409, "Already taken, or not waiting.")

        @api.route("/conversations/<handoff_id:int>/messages", methods=["POST"])
        @signed
        async def say(request: Request, handoff_id: int) -> HTTPResponse:
            body = _json_body(request)
            agent = agent_of(body)
            stored = await relay.say(handoff_id, agent, _text(body))
            if stored is None:
                return _error(409, "This employee does not have this conversation.")
            audit.record(f"api:{agent}", "answer", "handoff", handoff_id)
            return response.json(stored.as_json())

        @api.route("/conversations/<handoff_id:int>/close", methods=["POST"])
        @signed
        async def close(request: Request, handoff_id: int) -> HTTPResponse:
            agent = agent_of(_json_body(request))
            if await relay.close(handoff_id, agent):
                audit.record(f"api:{agent}", "close", "handoff", handoff_id)
                return response.json({"ok": True})
            return _error(409, "This employee does not have this conversation open.")

        return api
