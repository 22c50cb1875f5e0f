"""Configuration from environment variables, with safe defaults (see the table in README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from bot import PROJECT_ROOT

DEFAULT_CORS_ORIGINS = "http://localhost:5005"
DEFAULT_MAX_MESSAGE_CHARS = 20000
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024
DEFAULT_SESSION_MAX_TURNS = 12

TRACKER_STORES = ("sqlite", "postgresql", "memory")
LOCK_STORES = ("memory", "redis")
EVENT_BROKERS = ("none", "rabbitmq")


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name)
    return Path(value) if value else default


def _optional(env: Mapping[str, str], name: str) -> Optional[str]:
    return env.get(name) or None


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on")


def _choice(env: Mapping[str, str], name: str, choices: tuple) -> str:
    value = (env.get(name) or choices[0]).strip().lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _smtp_starttls(env: Mapping[str, str]) -> str:
    """SMTP_STARTTLS: auto (default), true or false; a flag's 1/yes/on and 0/no/off too."""
    value = env.get("SMTP_STARTTLS", "").strip().lower()
    flag = {"1": "true", "yes": "true", "on": "true", "0": "false", "no": "false", "off": "false"}
    value = flag.get(value, value)
    return _choice({"SMTP_STARTTLS": value}, "SMTP_STARTTLS", ("auto", "true", "false"))


@dataclass(frozen=True)
class Settings:
    """Settings read once from the environment.

    Every environment variable the project reads is a field here (one per line, with its
    default), and each is documented in the README's configuration table. Secrets
    (``*_password``) are not shown by ``repr`` and are never written to a file: the generated
    endpoints file names them as ``${VAR}``, which Rasa reads from its environment.
    """

    programme_dir: Path
    spacy_model_dir: Path
    rasa_port: int
    action_port: int
    rasa_token: str = field(repr=False)
    cors_origins: str
    max_message_chars: int
    data_dir: Path
    session_max_turns: int
    action_server_url: str
    action_timeout: float
    tracker_store: str
    tracker_cache: int
    postgres_host: str
    postgres_port: int
    postgres_db: str
    postgres_user: str
    postgres_password: str = field(repr=False)
    lock_store: str
    redis_host: str
    redis_port: int
    redis_db: int
    redis_password: str = field(repr=False)
    redis_key_prefix: str
    event_broker: str
    rabbitmq_host: str
    rabbitmq_port: int
    rabbitmq_user: str
    rabbitmq_password: str = field(repr=False)
    rabbitmq_queue: str
    rabbitmq_exchange: str
    sanic_workers: int
    retention_days: int
    retention_interval_hours: float
    action_host: str
    max_request_bytes: int
    max_metadata_bytes: int
    rate_limit_conversation: int
    rate_limit_address: int
    rate_limit_exempt: str
    trusted_proxies: int
    session_secret: str = field(repr=False)
    telegram_secret_token: str = field(repr=False)
    events_ics_url: Optional[str] = None
    offers_json_url: Optional[str] = None
    opportunities_json_url: Optional[str] = None
    feed_ttl_seconds: float = 300.0
    feed_timeout_seconds: float = 2.0
    feed_wait_seconds: float = 2.5
    public_url: str = ""
    # Live handover to the helpdesk (bot/handoff: hours, live desk, agent console, API).
    office_hours: str = "mon-fri 09:00-17:00"
    office_timezone: str = "Europe/Amsterdam"
    office_holidays: str = "NL"
    office_closed_days: str = ""
    handoff_wait_seconds: int = 180
    console_accounts: str = field(default="", repr=False)
    console_session_minutes: int = 480
    console_idle_minutes: int = 30
    console_insecure_cookie: bool = False
    handoff_webhook_url: str = ""
    handoff_webhook_secret: str = field(default="", repr=False)
    handoff_api_secret: str = field(default="", repr=False)
    rest_token: str = field(default="", repr=False)
    # Socket.IO across replicas (bot/channels/socketio.py): a private Redis, may hold a password.
    socketio_redis_url: str = field(default="", repr=False)
    # Contact requests (bot/handoff: outbox, worker, adapters).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: str = "auto"  # auto | true | false (bot/handoff/adapters/smtp.py)
    smtp_from: str = ""
    helpdesk_email: str = ""
    klantinteracties_url: str = ""
    klantinteracties_token: str = field(default="", repr=False)
    klantinteracties_actor: str = ""
    handoff_retention_days: int = 30
    handoff_retry_seconds: float = 30.0
    handoff_retry_max_seconds: float = 3600.0
    handoff_timeout_seconds: float = 15.0
    handoff_worker: bool = True

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> Settings:
        env = os.environ if env is None else env
        action_port = int(env.get("ACTION_PORT", "5055"))
        return cls(
            programme_dir=_path(env, "PROGRAMME_DIR", PROJECT_ROOT / "data" / "programme"),
            spacy_model_dir=_path(env, "SPACY_MODEL_DIR", PROJECT_ROOT / "models" / "spacy-nl"),
            rasa_port=int(env.get("RASA_PORT", "5005")),
            action_port=action_port,
            rasa_token=env.get("RASA_TOKEN", ""),
            cors_origins=env.get("CORS_ORIGINS", DEFAULT_CORS_ORIGINS),
            max_message_chars=int(env.get("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS)),
            data_dir=_path(env, "DATA_DIR", PROJECT_ROOT / "var"),
            session_max_turns=int(env.get("SESSION_MAX_TURNS", DEFAULT_SESSION_MAX_TURNS)),
            action_server_url=env.get("ACTION_SERVER_URL")
            or f"http://localhost:{action_port}/webhook",
            action_timeout=float(env.get("ACTION_TIMEOUT", "5")),
            tracker_store=_choice(env, "TRACKER_STORE", TRACKER_STORES),
            tracker_cache=int(env.get("TRACKER_CACHE", "-1")),
            postgres_host=env.get("POSTGRES_HOST", "localhost"),
            postgres_port=int(env.get("POSTGRES_PORT", "5432")),
            postgres_db=env.get("POSTGRES_DB", "rasa"),
            postgres_user=env.get("POSTGRES_USER", "rasa"),
            postgres_password=env.get("POSTGRES_PASSWORD", ""),
            lock_store=_choice(env, "LOCK_STORE", LOCK_STORES),
            redis_host=env.get("REDIS_HOST", "localhost"),
            redis_port=int(env.get("REDIS_PORT", "6379")),
            redis_db=int(env.get("REDIS_DB", "1")),
            redis_password=env.get("REDIS_PASSWORD", ""),
            redis_key_prefix=env.get("REDIS_KEY_PREFIX", "impact"),
            event_broker=_choice(env, "EVENT_BROKER", EVENT_BROKERS),
            rabbitmq_host=env.get("RABBITMQ_HOST", "localhost"),
            rabbitmq_port=int(env.get("RABBITMQ_PORT", "5672")),
            rabbitmq_user=env.get("RABBITMQ_USER", "rasa"),
            rabbitmq_password=env.get("RABBITMQ_PASSWORD", ""),
            rabbitmq_queue=env.get("RABBITMQ_QUEUE", "rasa_events"),
            rabbitmq_exchange=env.get("RABBITMQ_EXCHANGE", "rasa-exchange"),
            sanic_workers=int(env.get("SANIC_WORKERS", "1")),
            retention_days=int(env.get("RETENTION_DAYS", "30")),
            retention_interval_hours=float(env.get("RETENTION_INTERVAL_HOURS", "24")),
            action_host=env.get("ACTION_HOST", "127.0.0.1"),
            max_request_bytes=int(env.get("MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)),
            max_metadata_bytes=int(env.get("MAX_METADATA_BYTES", "2048")),
            rate_limit_conversation=int(env.get("RATE_LIMIT_CONVERSATION", "30")),
            rate_limit_address=int(env.get("RATE_LIMIT_ADDRESS", "120")),
            rate_limit_exempt=env.get("RATE_LIMIT_EXEMPT", "127.0.0.1,::1"),
            trusted_proxies=int(env.get("TRUSTED_PROXIES", "0")),
            session_secret=env.get("SESSION_SECRET", ""),
            telegram_secret_token=env.get("TELEGRAM_SECRET_TOKEN", ""),
            events_ics_url=_optional(env, "EVENTS_ICS_URL"),
            offers_json_url=_optional(env, "OFFERS_JSON_URL"),
            opportunities_json_url=_optional(env, "OPPORTUNITIES_JSON_URL"),
            feed_ttl_seconds=float(env.get("FEED_TTL_SECONDS", "300")),
            feed_timeout_seconds=float(env.get("FEED_TIMEOUT_SECONDS", "2")),
            feed_wait_seconds=float(env.get("FEED_WAIT_SECONDS", "2.5")),
            public_url=env.get("PUBLIC_URL", "").strip().rstrip("/"),
            office_hours=env.get("OFFICE_HOURS", "mon-fri 09:00-17:00"),
            office_timezone=env.get("OFFICE_TIMEZONE", "Europe/Amsterdam"),
            office_holidays=env.get("OFFICE_HOLIDAYS", "NL"),
            office_closed_days=env.get("OFFICE_CLOSED_DAYS", ""),
            handoff_wait_seconds=int(env.get("HANDOFF_WAIT_SECONDS", "180")),
            console_accounts=env.get("CONSOLE_ACCOUNTS", ""),
            console_session_minutes=int(env.get("CONSOLE_SESSION_MINUTES", "480")),
            console_idle_minutes=int(env.get("CONSOLE_IDLE_MINUTES", "30")),
            console_insecure_cookie=_flag(env, "CONSOLE_INSECURE_COOKIE", False),
            handoff_webhook_url=env.get("HANDOFF_WEBHOOK_URL", ""),
            handoff_webhook_secret=env.get("HANDOFF_WEBHOOK_SECRET", ""),
            handoff_api_secret=env.get("HANDOFF_API_SECRET", ""),
            rest_token=env.get("REST_TOKEN", ""),
            socketio_redis_url=env.get("SOCKETIO_REDIS_URL", "").strip(),
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=int(env.get("SMTP_PORT", "587")),
            smtp_user=env.get("SMTP_USER", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_starttls=_smtp_starttls(env),
            smtp_from=env.get("SMTP_FROM", ""),
            helpdesk_email=env.get("HELPDESK_EMAIL", ""),
            klantinteracties_url=env.get("KLANTINTERACTIES_URL", ""),
            klantinteracties_token=env.get("KLANTINTERACTIES_TOKEN", ""),
            klantinteracties_actor=env.get("KLANTINTERACTIES_ACTOR", ""),
            handoff_retention_days=int(env.get("HANDOFF_RETENTION_DAYS", "30")),
            handoff_retry_seconds=float(env.get("HANDOFF_RETRY_SECONDS", "30")),
            handoff_retry_max_seconds=float(env.get("HANDOFF_RETRY_MAX_SECONDS", "3600")),
            handoff_timeout_seconds=float(env.get("HANDOFF_TIMEOUT_SECONDS", "15")),
            handoff_worker=_flag(env, "HANDOFF_WORKER", True),
        )

    @property
    def sqlite_path(self) -> Path:
        """The SQLite tracker store of the embedded default."""
        return self.data_dir / "conversations.db"
