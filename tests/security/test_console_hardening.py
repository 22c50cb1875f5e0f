"""The agent console and the live-chat API resist the attacks of the security review (issue 18).

Each probe runs the real blueprints (ConsoleInput, HandoffApiInput, SafeRestInput) with Rasa's
CORS set-up (as patched) in a Sanic app over real HTTP in this process: no model, seconds.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import rasa.server
import requests
from sanic import Sanic

from bot import rasa_patches
from bot.channels import handoff as channel
from bot.counters import MemoryCounters
from bot.handoff import console, signing
from bot.handoff.audit import AuditLog
from bot.handoff.console import Accounts, LoginThrottle, hash_password
from bot.handoff.db import handoff_db, reset_engines
from bot.handoff.live import LiveDesk
from bot.settings import Settings
from tests.security.inprocess import serving

PASSWORD = "anna-heeft-dienst-42"
OTHER_PASSWORD = "een-heel-ander-wachtwoord-9"
API_SECRET = "api-secret-for-the-probes"
WEBHOOK_SECRET = "webhook-secret-for-the-probes"
ALLOWED_ORIGIN = "https://widget.example"


@pytest.fixture(scope="module")
def hashes():
    return {"anna": hash_password(PASSWORD), "anna-new": hash_password(OTHER_PASSWORD)}


@pytest.fixture
def app_env(tmp_path, monkeypatch, hashes):
    accounts = tmp_path / "console-accounts"
    accounts.write_text(f"anna:{hashes['anna']}\n")
    env = {
        "DATA_DIR": str(tmp_path / "var"),
        "CONSOLE_ACCOUNTS": str(accounts),
        "HANDOFF_API_SECRET": API_SECRET,
        "HANDOFF_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CONSOLE_INSECURE_COOKIE": "true",  # requests' cookie jar keeps no Secure cookie on http
        "LOCK_STORE": "memory",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(console, "RELOAD_SECONDS", 0.0)
    channel._shared.clear()
    from bot import counters

    counters._shared.clear()
    reset_engines()
    yield {"accounts": accounts, "env": env}
    channel._shared.clear()
    counters._shared.clear()
    reset_engines()


def build_app(name: str, with_rest: bool = False, with_console: bool = True) -> Sanic:
    """Rasa's CORS (patched) over the console and the live-chat API, and/or REST."""
    Sanic.test_mode = True
    app = Sanic(name)

    async def on_new_message(message):
        await message.output_channel.send_text_message(message.sender_id, "hallo")

    if with_console:
        app.blueprint(channel.ConsoleInput().blueprint(on_new_message), url_prefix="/console")
        app.blueprint(
            channel.HandoffApiInput().blueprint(on_new_message), url_prefix="/handoff/api/v1"
        )
    if with_rest:
        from bot.channels.rest import SafeRestInput

        app.blueprint(SafeRestInput().blueprint(on_new_message), url_prefix="/webhooks/rest")
    rasa_patches.install()
    try:
        rasa.server.configure_cors(app, [ALLOWED_ORIGIN])
    finally:
        rasa_patches.uninstall()
    return app


@pytest.fixture
def server(app_env, request):
    with serving(build_app(f"console-{request.node.name[:40]}")) as url:
        yield url


def login(url: str, password: str = PASSWORD, **kwargs) -> requests.Session:
    session = requests.Session()
    resp = session.post(
        f"{url}/console/api/login", json={"name": "anna", "password": password}, **kwargs
    )
    assert resp.status_code == 200, resp.text
    return session


# ---------------------------------------------------------------- 1. CORS, Origin, cookie
def test_an_allowed_cors_origin_cannot_read_the_console_api(server):
    anna = login(server)
    got = anna.get(f"{server}/console/api/me", headers={"Origin": ALLOWED_ORIGIN})
    assert got.status_code == 403
    assert "Access-Control-Allow-Origin" not in got.headers
    assert "Access-Control-Allow-Credentials" not in got.headers
    preflight = requests.options(
        f"{server}/console/api/me",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_rasa_cors_still_serves_the_widget_and_rest_paths():
    Sanic.test_mode = True
    app = Sanic("cors-widget-paths")
    from sanic import response

    @app.post("/webhooks/rest/webhook")
    async def hook(_):
        return response.json([])

    @app.get("/conversations/x/tracker")
    async def api(_):
        return response.json({})

    rasa_patches.install()
    try:
        rasa.server.configure_cors(app, [ALLOWED_ORIGIN])
    finally:
        rasa_patches.uninstall()
    with serving(app) as url:
        rest = requests.post(
            f"{url}/webhooks/rest/webhook", json={}, headers={"Origin": ALLOWED_ORIGIN}
        )
        assert rest.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        other = requests.get(f"{url}/conversations/x/tracker", headers={"Origin": ALLOWED_ORIGIN})
        assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": ALLOWED_ORIGIN},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
    ids=["foreign", "cors-allowed", "null", "cross-site", "same-site"],
)
def test_every_console_request_from_another_site_is_refused(server, headers):
    anna = login(server)
    assert anna.get(f"{server}/console/", headers=headers).status_code == 403
    assert anna.get(f"{server}/console/console.js", headers=headers).status_code == 403
    assert anna.get(f"{server}/console/api/me", headers=headers).status_code == 403
    assert anna.get(f"{server}/console/api/handoffs", headers=headers).status_code == 403
    wrong = {"name": "anna", "password": PASSWORD}
    assert (
        requests.post(f"{server}/console/api/login", json=wrong, headers=headers).status_code == 403
    )
    assert anna.post(f"{server}/console/api/logout", json={}, headers=headers).status_code == 403
    # The session survived the refused logout; the page itself works from its own origin.
    same = {"Origin": server, "Sec-Fetch-Site": "same-origin"}
    assert anna.get(f"{server}/console/api/me", headers=same).json() == {"agent": "anna"}


def test_the_session_cookie_is_host_prefixed_secure_httponly_and_strict(app_env, monkeypatch):
    monkeypatch.delenv("CONSOLE_INSECURE_COOKIE")
    with serving(build_app("console-secure-cookie")) as url:
        resp = requests.post(
            f"{url}/console/api/login", json={"name": "anna", "password": PASSWORD}
        )
        assert resp.status_code == 200
        cookie = resp.headers["Set-Cookie"]
        assert cookie.startswith("__Host-kcc_session=")
        lowered = cookie.lower()
        for part in ("path=/;", "secure", "httponly", "samesite=strict"):
            assert part in lowered + ";", cookie
        assert "domain=" not in lowered
        # The production cookie name is the one read back (sent by hand: http here).
        token = cookie.split(";")[0].split("=", 1)[1]
        me = requests.get(
            f"{url}/console/api/me", headers={"Cookie": f"__Host-kcc_session={token}"}
        )
        assert me.json() == {"agent": "anna"}
        plain = requests.get(f"{url}/console/api/me", headers={"Cookie": f"kcc_session={token}"})
        assert plain.status_code == 401


def test_only_the_explicit_development_setting_drops_secure():
    assert Settings.from_env({}).console_insecure_cookie is False
    assert channel.cookie_name(Settings.from_env({})) == "__Host-kcc_session"
    dev = Settings.from_env({"CONSOLE_INSECURE_COOKIE": "true"})
    assert channel.cookie_name(dev) == "kcc_session"


# ---------------------------------------------------------------- 2. login throttle
def test_parallel_guesses_are_counted_before_any_password_is_checked(server, monkeypatch):
    checked = []
    original = Accounts.check

    def counting(self, name, password):
        checked.append(name)
        return original(self, name, password)

    monkeypatch.setattr(Accounts, "check", counting)
    url = f"{server}/console/api/login"

    def guess(i):
        return requests.post(url, json={"name": "anna", "password": f"guess-{i}"}).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        codes = list(pool.map(guess, range(32)))
    assert codes.count(401) <= console.PAIR_LIMIT
    assert codes.count(429) >= 32 - console.PAIR_LIMIT
    assert len(checked) <= console.PAIR_LIMIT
    # Even the right password is refused from this address now.
    right = requests.post(url, json={"name": "anna", "password": PASSWORD})
    assert right.status_code == 429


def test_a_stranger_cannot_lock_an_employee_out_at_her_usual_address():
    throttle = LoginThrottle(MemoryCounters())
    assert throttle.attempt("anna", "10.0.0.1")
    throttle.succeeded("anna", "10.0.0.1")  # anna's desk
    # A stranger with many addresses exhausts anna's account limit.
    refused = 0
    for i in range(console.ACCOUNT_LIMIT + 50):
        if not throttle.attempt("anna", f"203.0.113.{i % 250}-{i // 250}"):
            refused += 1
    assert refused >= 50
    assert throttle.attempt("anna", "10.0.0.1")  # her own address still gets through
    assert not throttle.attempt("anna", "10.9.9.9")  # a new address waits


def test_one_address_trying_many_names_is_stopped():
    throttle = LoginThrottle(MemoryCounters())
    results = [
        throttle.attempt(f"user{i}", "198.51.100.7") for i in range(console.ADDRESS_LIMIT + 5)
    ]
    assert results.count(True) == console.ADDRESS_LIMIT
    # A name that can't exist is counted per address only (no key per made-up name).
    counters = MemoryCounters()
    LoginThrottle(counters).attempt("x" * 65, "198.51.100.8")
    assert len(counters) == 1


def test_throttle_memory_stays_bounded_whatever_names_are_tried():
    counters = MemoryCounters(max_keys=1000)
    throttle = LoginThrottle(counters)
    for i in range(5000):
        throttle.attempt(f"name{i}", f"192.0.2.{i % 200}")
    assert len(counters) <= 1000


def test_passwords_are_hashed_on_a_small_pool_and_a_flood_is_refused(hashes):
    import asyncio

    accounts = Accounts({"anna": hashes["anna"]})
    assert accounts._pool._max_workers == console.HASH_WORKERS == 2
    accounts._pending = console.MAX_PENDING_CHECKS
    assert asyncio.run(accounts.verify("anna", PASSWORD)) is None
    accounts._pending = 0
    assert asyncio.run(accounts.verify("anna", PASSWORD)) is True


def test_the_throttle_fails_closed_when_its_counters_are_down():
    from bot.counters import RedisCounters

    down = RedisCounters.connect("127.0.0.1", 1, prefix="probe")  # nothing listens on port 1
    assert not LoginThrottle(down).attempt("anna", "10.0.0.1")


# ---------------------------------------------------------------- 3. sessions follow the account
def test_a_password_change_ends_the_session(server, app_env, hashes):
    anna = login(server)
    assert anna.get(f"{server}/console/api/me").status_code == 200
    app_env["accounts"].write_text(f"anna:{hashes['anna-new']}\n")
    time.sleep(0.05)
    assert anna.get(f"{server}/console/api/me").status_code == 401
    # The session is gone, not only refused: the old hash back does not revive it.
    app_env["accounts"].write_text(f"anna:{hashes['anna']}\n# again\n")
    assert anna.get(f"{server}/console/api/me").status_code == 401
    login(server)


def test_removing_the_account_ends_the_session(server, app_env):
    anna = login(server)
    app_env["accounts"].write_text("# nobody\n")
    time.sleep(0.05)
    assert anna.get(f"{server}/console/api/handoffs").status_code == 401
    assert anna.post(f"{server}/console/api/logout", json={}).status_code == 200


def test_the_idle_timeout_reaches_the_sessions(app_env, monkeypatch):
    seen = {}
    real = channel.Sessions

    def capture(db, lifetime, idle_minutes=30, **kwargs):
        seen["idle"] = idle_minutes
        return real(db, lifetime, idle_minutes=idle_minutes, **kwargs)

    monkeypatch.setattr(channel, "Sessions", capture)
    monkeypatch.setenv("CONSOLE_IDLE_MINUTES", "7")
    channel.ConsoleInput().blueprint(lambda m: None)
    assert seen["idle"] == 7


# ---------------------------------------------------------------- 7. no-store, logout
def test_console_json_is_never_stored(server):
    anna = login(server)
    for path in ("/api/me", "/api/handoffs", "/api/contact-requests"):
        resp = anna.get(f"{server}/console{path}")
        assert resp.status_code == 200
        assert resp.headers["Cache-Control"] == "no-store"
    assert requests.get(f"{server}/console/api/me").headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- 6. audit log
def test_views_takes_answers_and_closes_are_audited_without_text(server, app_env):
    desk = LiveDesk(Settings.from_env())
    desk.enqueue("rest:audit-probe", "rest", [])
    handoff_id = desk.open_handoff("rest:audit-probe").id
    anna = login(server)
    base = f"{server}/console/api/handoffs/{handoff_id}"
    for _ in range(3):  # the console polls: one "view" entry
        assert anna.get(base).status_code == 200
    assert anna.post(f"{base}/take", json={}).status_code == 200
    secret_text = "Mijn geheime vraag 4711"
    assert anna.post(f"{base}/messages", json={"text": secret_text}).status_code == 200
    assert anna.post(f"{base}/close", json={}).status_code == 200
    entries = AuditLog(handoff_db(Settings.from_env())).entries()
    mine = [(e["actor"], e["action"], e["subject_type"], e["subject_id"]) for e in entries]
    for action in ("view", "take", "answer", "close"):
        assert mine.count(("anna", action, "handoff", str(handoff_id))) == 1, mine
    assert secret_text not in json.dumps(entries, default=str)


def signed(url: str, method: str, path: str, body: bytes, secret: str = API_SECRET):
    headers = {
        "Content-Type": "application/json",
        **signing.sign(secret, body, method=method, path=path),
    }
    return requests.request(method, url + path, data=body, headers=headers)


def test_the_live_chat_api_is_audited_and_checks_method_and_path(server):
    desk = LiveDesk(Settings.from_env())
    desk.enqueue("rest:api-probe", "rest", [])
    handoff_id = desk.open_handoff("rest:api-probe").id
    path = f"/handoff/api/v1/conversations/{handoff_id}"
    assert signed(server, "GET", path, b"").status_code == 200
    # The webhook secret (the other direction) does not open the API.
    assert signed(server, "GET", path, b"", secret=WEBHOOK_SECRET).status_code == 401
    # A signature for one path or method is not valid for another.
    body = json.dumps({"agent": "extern-1"}).encode()
    headers = {
        "Content-Type": "application/json",
        **signing.sign(API_SECRET, body, method="POST", path=f"{path}/close"),
    }
    assert requests.post(f"{server}{path}/take", data=body, headers=headers).status_code == 401
    assert signed(server, "POST", f"{path}/take", body).status_code == 200
    actions = [
        (e["actor"], e["action"]) for e in AuditLog(handoff_db(Settings.from_env())).entries()
    ]
    assert ("api", "view") in actions and ("api:extern-1", "take") in actions


def test_a_v1_signature_is_refused():
    import hashlib
    import hmac

    body = b"{}"
    ts = str(int(time.time()))
    old = "sha256=" + hmac.new(b"k", f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    headers = {signing.TIMESTAMP_HEADER: ts, signing.SIGNATURE_HEADER: old}
    assert not signing.verify("k", headers, body)
    assert signing.sign("k", body)[signing.SIGNATURE_HEADER].startswith("v2=")


# ---------------------------------------------------------------- 4. REST needs a token
@pytest.fixture
def rest_server(app_env, monkeypatch, request):
    def start(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        name = f"rest-{request.node.name[:30]}"
        return serving(build_app(name, with_rest=True, with_console=False))

    return start


def test_rest_requires_the_bearer_token_when_one_is_set(rest_server):
    with rest_server(REST_TOKEN="the-rest-token-123") as url:
        hook = f"{url}/webhooks/rest/webhook"
        body = {"sender": "employee-victim", "message": "hoi"}
        assert requests.post(hook, json=body).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert requests.post(hook, json=body, headers=wrong).status_code == 401
        right = {"Authorization": "Bearer the-rest-token-123"}
        ok = requests.post(hook, json=body, headers=right)
        assert ok.status_code == 200 and ok.json()[0]["text"] == "hallo"


def test_rest_is_off_in_production_without_a_token(rest_server):
    with rest_server(TRACKER_STORE="postgresql") as url:
        resp = requests.post(f"{url}/webhooks/rest/webhook", json={"message": "hoi"})
        assert resp.status_code == 403
        assert "REST_TOKEN" in resp.json()["error"]
