"""Fixtures of the live-handover tests: real servers with the live desk switched on."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Tuple
from urllib.parse import quote

import pytest
import requests

from bot.handoff import signing
from bot.handoff.console import hash_password
from tests import servers as servers_module
from tests.servers import TOKEN, running_pair

WEBHOOK_SECRET = "webhook-secret-for-tests"  # signs the webhooks this server sends
API_SECRET = "api-secret-for-tests"  # signs what the live-chat system sends to the API
PASSWORDS = {"anna": "anna-heeft-dienst-42", "bram": "bram-heeft-ook-dienst-7"}
WAIT_SECONDS = 25
# Signs the widget's session tokens (bot/channels/socketio.py): known, so a test can read the
# conversation id from the token the widget keeps.
SESSION_SECRET = "session-secret-for-tests"


class WebhookReceiver:
    """A real HTTP server that checks each webhook's signature and keeps the valid ones."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.events: List[dict] = []
        self.rejected: List[Tuple[int, bytes]] = []
        self.guard = signing.ReplayGuard()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                if not signing.verify(receiver.secret, headers, body, path=self.path):
                    status = 401
                elif not receiver.guard.first_use(headers):
                    status = 409
                else:
                    status = 200
                    receiver.events.append(json.loads(body))
                if status != 200:
                    receiver.rejected.append((status, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def of(self, kind: str, handoff_id: int) -> List[dict]:
        return [e for e in self.events if e["event"] == kind and e["handoff_id"] == handoff_id]


@pytest.fixture(scope="session")
def webhook_receiver():
    receiver = WebhookReceiver(WEBHOOK_SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def live_data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("live-data")


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory, live_data_dir, webhook_receiver, programme_dir):
    """Action server + Rasa server; the office always open; accounts anna and bram."""
    accounts = tmp_path_factory.mktemp("accounts") / "console-accounts"
    accounts.write_text("".join(f"{name}:{hash_password(pw)}\n" for name, pw in PASSWORDS.items()))
    # A Rasa server took up to 9 minutes to start on the shared 2-core machine while others
    # trained: wait longer than tests/servers.py's default for these servers.
    wait_until = servers_module.wait_until
    env = {
        "PROGRAMME_DIR": str(programme_dir),
        "DATA_DIR": str(live_data_dir),
        "CONSOLE_ACCOUNTS": str(accounts),
        "OFFICE_HOURS": "mon-sun 00:00-24:00",
        "OFFICE_HOLIDAYS": "",
        "HANDOFF_WAIT_SECONDS": str(WAIT_SECONDS),
        "HANDOFF_WEBHOOK_URL": webhook_receiver.url,
        "HANDOFF_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "HANDOFF_API_SECRET": API_SECRET,
        "SESSION_SECRET": SESSION_SECRET,
        # Plain http in tests: requests' cookie jar (http.cookiejar) keeps no Secure cookie for
        # http, so the console cookie is the development one here. tests/security/
        # test_console_hardening.py checks the production cookie.
        "CONSOLE_INSECURE_COOKIE": "true",
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            servers_module,
            "wait_until",
            lambda url, timeout, proc, **kw: wait_until(url, max(timeout, 900), proc, **kw),
        )
        with running_pair(tmp_path_factory.mktemp("live-servers"), env) as pair:
            yield pair


@pytest.fixture(scope="session")
def live_rasa(live_servers):
    return live_servers[1]


def console_session(rasa, name: str) -> requests.Session:
    """A logged-in console session over HTTP (as the console page does it)."""
    session = requests.Session()
    resp = session.post(
        f"{rasa.url}/console/api/login",
        json={"name": name, "password": PASSWORDS[name]},
        timeout=10,
    )
    resp.raise_for_status()
    return session


def tracker_url(rasa, conversation_id: str) -> str:
    """Rasa's tracker endpoint of a (namespaced) conversation id, e.g. "rest:abc"."""
    return f"{rasa.url}/conversations/{quote(conversation_id, safe=':+')}/tracker"


def tracker(rasa, conversation_id: str) -> dict:
    resp = requests.get(tracker_url(rasa, conversation_id), params={"token": TOKEN}, timeout=10)
    resp.raise_for_status()
    return resp.json()
