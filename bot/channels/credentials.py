"""The effective Rasa credentials: the fixed channels plus the configured messaging channels.

Rasa's credentials.yml can read `${VAR}`, but fails when such a variable is unset.
So the file given to `rasa run` is generated at start: the channels of
credentials.yml (REST, socket.io, the web chat) are always on, and each messaging
channel is added only when its environment variables are set (see docs/channels.md).
A channel with only some of its required variables set is a configuration error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from bot import PROJECT_ROOT
from bot.settings import DEFAULT_CORS_ORIGINS

BASE_CREDENTIALS = PROJECT_ROOT / "credentials.yml"
SOCKETIO_CHANNEL = "bot.channels.socketio.SafeSocketIOInput"


class ChannelConfigError(ValueError):
    """A messaging channel is configured only in part."""


@dataclass(frozen=True)
class ChannelSpec:
    """A messaging channel: its Rasa channel (class path or built-in name) and env vars."""

    label: str
    channel: str
    required: Dict[str, str]  # credentials key -> env var
    optional: Dict[str, str] = field(default_factory=dict)
    # At least one of these env vars (credentials key -> env var) must be set.
    one_of: Dict[str, str] = field(default_factory=dict)

    def env_vars(self) -> List[str]:
        return [*self.required.values(), *self.one_of.values(), *self.optional.values()]


MESSAGING_CHANNELS: Tuple[ChannelSpec, ...] = (
    ChannelSpec(
        "Telegram",
        "bot.channels.telegram.TelegramInput",
        required={
            "access_token": "TELEGRAM_ACCESS_TOKEN",
            "verify": "TELEGRAM_VERIFY",
            "webhook_url": "TELEGRAM_WEBHOOK_URL",
            "secret_token": "TELEGRAM_SECRET_TOKEN",
        },
        optional={"api_base_url": "TELEGRAM_API_BASE_URL"},
    ),
    ChannelSpec(
        "Slack",
        "bot.channels.slack.SlackInput",
        required={"slack_token": "SLACK_TOKEN", "slack_signing_secret": "SLACK_SIGNING_SECRET"},
        optional={"slack_channel": "SLACK_CHANNEL"},
    ),
    ChannelSpec(
        "Facebook Messenger",
        "bot.channels.facebook.FacebookInput",
        required={
            "verify": "FACEBOOK_VERIFY",
            "secret": "FACEBOOK_SECRET",
            "page-access-token": "FACEBOOK_PAGE_ACCESS_TOKEN",
        },
    ),
    ChannelSpec(
        "Twilio (SMS, WhatsApp)",
        "bot.channels.twilio.TwilioInput",
        required={
            "account_sid": "TWILIO_ACCOUNT_SID",
            "auth_token": "TWILIO_AUTH_TOKEN",
            "webhook_url": "TWILIO_WEBHOOK_URL",
        },
        one_of={"twilio_number": "TWILIO_NUMBER", "whatsapp_number": "TWILIO_WHATSAPP_NUMBER"},
        optional={"api_base_url": "TWILIO_API_BASE_URL"},
    ),
)


def _value(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name, "")
    return value.strip() or None


def messaging_credentials(env: Mapping[str, str]) -> Dict[str, Dict[str, Any]]:
    """The messaging channels whose variables are set, as Rasa credentials entries."""
    result: Dict[str, Dict[str, Any]] = {}
    for spec in MESSAGING_CHANNELS:
        needed = list(spec.required.values()) + list(spec.one_of.values())
        if not any(_value(env, name) for name in needed):
            continue  # not configured: off
        missing = [name for name in spec.required.values() if not _value(env, name)]
        if spec.one_of and not any(_value(env, name) for name in spec.one_of.values()):
            missing.append(" or ".join(spec.one_of.values()))
        if missing:
            raise ChannelConfigError(
                f"{spec.label}: set {', '.join(missing)} too, or unset the other "
                f"{spec.label} variables to switch the channel off."
            )
        entry = {
            key: _value(env, name)
            for key, name in {**spec.required, **spec.one_of, **spec.optional}.items()
            if _value(env, name)
        }
        result[spec.channel] = entry
    return result


def build_credentials(
    env: Optional[Mapping[str, str]] = None, base: Path = BASE_CREDENTIALS
) -> Dict[str, Any]:
    """credentials.yml's channels plus the configured messaging channels."""
    env = os.environ if env is None else env
    credentials: Dict[str, Any] = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    socketio = credentials.get(SOCKETIO_CHANNEL)
    if isinstance(socketio, dict) and "cors_origins" not in socketio:
        socketio["cors_origins"] = env.get("CORS_ORIGINS") or DEFAULT_CORS_ORIGINS
    credentials.update(messaging_credentials(env))
    return credentials


def write_credentials(
    path: Path, env: Optional[Mapping[str, str]] = None, base: Path = BASE_CREDENTIALS
) -> List[str]:
    """Write the effective credentials (readable by the owner only); return channel names."""
    credentials = build_credentials(env, base)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(
            "# Generated by bot/channels/credentials.py from credentials.yml and the "
            "environment. Do not edit.\n"
        )
        yaml.safe_dump(credentials, out, allow_unicode=True, sort_keys=False)
    return [channel_label(name) for name in credentials]


def channel_label(channel: str) -> str:
    """A short name for a credentials key: "bot.channels.rest.SafeRestInput" -> "rest"."""
    name = channel.rsplit(".", 1)[-1]
    if name.startswith("Safe"):
        name = name[len("Safe") :]
    if name.endswith("Input"):
        name = name[: -len("Input")]
    return name.lower()
