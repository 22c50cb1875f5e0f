"""A Rasa server with the Telegram and Twilio connectors on, talking to a local stand-in API."""

import pytest

from tests.channels.fake_api import BOT_USERNAME, FakeProviderAPI
from tests.servers import free_port, running_pair

TELEGRAM_TOKEN = "123456:TEST-token_for-the-stand-in"
TELEGRAM_SECRET = "test-secret_token-1234"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-auth-token"
TWILIO_NUMBER = "+3197010000000"
TWILIO_WHATSAPP = "whatsapp:+14155238886"


@pytest.fixture(scope="session")
def provider_api():
    api = FakeProviderAPI().start()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def channel_servers(tmp_path_factory, programme_dir, provider_api):
    workdir = tmp_path_factory.mktemp("channel-servers")
    # The webhook URLs are the Rasa server's own; its port is chosen here.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PROGRAMME_DIR": str(programme_dir),
        "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_VERIFY": BOT_USERNAME,
        "TELEGRAM_WEBHOOK_URL": f"{base}/webhooks/telegram/webhook",
        "TELEGRAM_API_BASE_URL": provider_api.url,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_WHATSAPP,
        "TWILIO_WEBHOOK_URL": f"{base}/webhooks/twilio/webhook",
        "TWILIO_API_BASE_URL": provider_api.url,
        "PUBLIC_URL": base,  # calendar links in the messaging channels
    }
    with running_pair(workdir, env, rasa_port=port) as pair:
        yield pair


@pytest.fixture(scope="session")
def channel_rasa(channel_servers):
    return channel_servers[1]
