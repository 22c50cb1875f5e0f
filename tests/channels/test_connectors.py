"""Every messaging connector loads through Rasa's own channel loading code."""

import pytest
from rasa.core import run as rasa_run

from bot.channels.credentials import (
    MESSAGING_CHANNELS,
    ChannelConfigError,
    build_credentials,
    write_credentials,
)

FULL_ENV = {
    "TELEGRAM_ACCESS_TOKEN": "123456:ABC-def",
    "TELEGRAM_VERIFY": "impact_bot",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.nl/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": "secret-token",
    "SLACK_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": "secret",
    "SLACK_CHANNEL": "C123",
    "FACEBOOK_VERIFY": "verify",
    "FACEBOOK_SECRET": "secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token",
    "TWILIO_ACCOUNT_SID": "AC123",
    "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_WEBHOOK_URL": "https://bot.example.nl/webhooks/twilio/webhook",
    "TWILIO_NUMBER": "+3197010000000",
    "TWILIO_WHATSAPP_NUMBER": "whatsapp:+14155238886",
    "CORS_ORIGINS": "https://www.haarlem.nl, https://haarlem.nl",
}


def test_no_messaging_channel_without_variables():
    channels = build_credentials({})
    assert list(channels) == [
        "bot.channels.rest.SafeRestInput",
        "bot.channels.socketio.SafeSocketIOInput",
        "bot.channels.webchat.WebchatInput",
        "bot.channels.health.HealthInput",
        "bot.channels.handoff.ConsoleInput",
        "bot.channels.handoff.HandoffApiInput",
    ]
    assert (
        channels["bot.channels.socketio.SafeSocketIOInput"]["cors_origins"]
        == "http://localhost:5005"
    )


def test_each_channel_is_on_only_with_its_variables():
    for spec in MESSAGING_CHANNELS:
        env = {name: FULL_ENV[name] for name in [*spec.required.values(), *spec.one_of.values()]}
        channels = build_credentials(env)
        assert spec.channel in channels
        assert len(channels) == 7, spec.label  # the six always-on channels and this one


def test_a_half_configured_channel_is_an_error():
    with pytest.raises(ChannelConfigError, match="TELEGRAM_WEBHOOK_URL"):
        build_credentials({"TELEGRAM_ACCESS_TOKEN": "1:a", "TELEGRAM_VERIFY": "b"})
    with pytest.raises(ChannelConfigError, match="TWILIO_NUMBER or TWILIO_WHATSAPP_NUMBER"):
        build_credentials({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"})


def test_rasa_loads_every_configured_channel(tmp_path):
    path = tmp_path / "credentials.yml"
    names = write_credentials(path, FULL_ENV)
    assert (path.stat().st_mode & 0o777) == 0o600  # secrets: owner only
    assert names == [
        "rest",
        "socketio",
        "webchat",
        "health",
        "console",
        "handoffapi",
        "telegram",
        "slack",
        "facebook",
        "twilio",
    ]

    channels = rasa_run.create_http_input_channels(None, str(path))
    by_name = {c.name(): c for c in channels}
    assert sorted(by_name) == [
        "console",
        "facebook",
        "handoff_api",
        "health",
        "rest",
        "slack",
        "socketio",
        "telegram",
        "twilio",
        "webchat",
    ]
    assert {c.url_prefix() for c in channels} >= {
        "telegram",
        "twilio",
        "slack",
        "facebook",
        "/webchat",
        "/healthz",
    }
    assert by_name["telegram"].access_token == "123456:ABC-def"
    assert by_name["telegram"].verify == "impact_bot"
    assert by_name["slack"].slack_token == "xoxb-test"
    assert by_name["slack"].slack_channel == "C123"
    assert by_name["facebook"].fb_access_token == "page-token"
    assert by_name["twilio"].twilio_number == "+3197010000000"
    assert by_name["twilio"].whatsapp_number == "whatsapp:+14155238886"
    assert by_name["socketio"].allowed_origins == ["https://www.haarlem.nl", "https://haarlem.nl"]
    assert by_name["socketio"].session_persistence is True

    # Each one builds its webhook routes (Telegram's would call the Bot API: see
    # test_webhooks.py, which runs it against a stand-in).
    async def handler(_):
        return None

    for name, channel in by_name.items():
        if name != "telegram":
            assert channel.blueprint(handler) is not None


@pytest.mark.parametrize("channel", ["telegram", "slack", "facebook", "twilio"])
def test_builtin_names_still_load(channel):
    """Rasa's own connectors are what ours extend: the built-in names still load."""
    creds = {
        "telegram": {"access_token": "1:a", "verify": "b", "webhook_url": "https://x"},
        "slack": {"slack_token": "xoxb", "slack_signing_secret": "s"},
        "facebook": {"verify": "v", "secret": "s", "page-access-token": "p"},
        "twilio": {"account_sid": "AC1", "auth_token": "t", "twilio_number": "+1"},
    }
    assert rasa_run._create_single_channel(channel, creds[channel]).name() == channel
