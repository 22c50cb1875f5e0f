"""One real server pair for the security suite, with every messaging channel on.

Low flood limits (so they can be reached quickly), TRUSTED_PROXIES=1 (a test picks its
client address with X-Forwarded-For; requests without it come from 127.0.0.1, which is
exempt from the address limit), Telegram and Twilio talking to the stand-in provider API,
Facebook with a known App Secret, logs at INFO.
"""

import pytest
import requests

from tests.channels.fake_api import BOT_USERNAME, FakeProviderAPI
from tests.servers import free_port, running_pair

TELEGRAM_TOKEN = "654321:SECURITY-token_for-the-stand-in"
TELEGRAM_SECRET = "security-secret_token-987"
TWILIO_SID = "AC" + "5" * 32
TWILIO_TOKEN = "security-auth-token"
TWILIO_NUMBER = "+3197010000001"
TWILIO_WHATSAPP = "whatsapp:+14155238887"
FACEBOOK_SECRET = "security-app-secret"
PER_CONVERSATION = 10
PER_ADDRESS = 40
MAX_REQUEST_BYTES = 32 * 1024


@pytest.fixture(scope="session")
def security_api():
    api = FakeProviderAPI().start()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def secure_servers(tmp_path_factory, programme_dir, security_api):
    workdir = tmp_path_factory.mktemp("security-servers")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PROGRAMME_DIR": str(programme_dir),
        "LOG_LEVEL": "INFO",
        "TRUSTED_PROXIES": "1",
        "RATE_LIMIT_CONVERSATION": str(PER_CONVERSATION),
        "RATE_LIMIT_ADDRESS": str(PER_ADDRESS),
        "MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES),
        "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_VERIFY": BOT_USERNAME,
        "TELEGRAM_WEBHOOK_URL": f"{base}/webhooks/telegram/webhook",
        "TELEGRAM_API_BASE_URL": security_api.url,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_WHATSAPP,
        "TWILIO_WEBHOOK_URL": f"{base}/webhooks/twilio/webhook",
        "TWILIO_API_BASE_URL": security_api.url,
        "FACEBOOK_VERIFY": "security-verify",
        "FACEBOOK_SECRET": FACEBOOK_SECRET,
        "FACEBOOK_PAGE_ACCESS_TOKEN": "security-page-token",
    }
    with running_pair(workdir, env, rasa_port=port) as pair:
        yield pair


@pytest.fixture(scope="session")
def action(secure_servers):
    return secure_servers[0]


@pytest.fixture(scope="session")
def rasa(secure_servers):
    return secure_servers[1]


def post(rasa, body, address=None, timeout=60, **kwargs):
    """POST to the REST webhook, from `address` (X-Forwarded-For) when given."""
    headers = {"X-Forwarded-For": address} if address else {}
    return requests.post(
        f"{rasa.url}/webhooks/rest/webhook", json=body, headers=headers, timeout=timeout, **kwargs
    )


def new_sender(prefix="sec"):
    import uuid

    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def texts(resp):
    return " ".join(m.get("text", "") for m in resp.json())


def tracker(rasa, conversation):
    """The tracker of a conversation, read with the HTTP API (token from the environment)."""
    from urllib.parse import quote

    from tests.servers import TOKEN

    # ":" and "+" stay as they are: Sanic does not decode them in a path parameter.
    resp = requests.get(
        f"{rasa.url}/conversations/{quote(conversation, safe=':+')}/tracker",
        params={"token": TOKEN},
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json()


def user_texts(rasa, conversation):
    return [e.get("text") for e in tracker(rasa, conversation)["events"] if e["event"] == "user"]


class SocketUser:
    """A socket.io client like the widget: session_request, then user_uttered messages."""

    def __init__(self, rasa, session_id=None, address=None):
        import queue

        import socketio

        self.replies = queue.Queue()
        self._confirmed = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("session_confirm", self._confirmed.put)
        headers = {"X-Forwarded-For": address} if address else {}
        self.sio.connect(
            rasa.url,
            socketio_path="/socket.io",
            transports=["polling"],
            headers=headers,
            wait_timeout=20,
        )
        self.sio.emit("session_request", {"session_id": session_id})
        self.token = self._confirmed.get(timeout=20)

    @property
    def conversation(self):
        return "socketio:" + self.token.split(".")[0]

    def say(self, text, session_id=None, quiet=1.5, timeout=30):
        """Send a message; the bot's messages until it is quiet for `quiet` seconds."""
        import queue

        self.sio.emit("user_uttered", {"message": text, "session_id": session_id or self.token})
        got = [self.replies.get(timeout=timeout)]
        while True:
            try:
                got.append(self.replies.get(timeout=quiet))
            except queue.Empty:
                return got

    def close(self):
        self.sio.disconnect()
