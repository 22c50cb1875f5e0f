"""Configuration from environment variables, with safe defaults (see the table in README.md)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot import PROJECT_ROOT


DEFAULT_CORS_ORIGINS = "http://localhost:5005"
DEFAULT_MAX_MESSAGE_CHARS = 20000


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on")


def _optional(name: str) -> Optional[str]:
    return os.environ.get(name) or None


@dataclass(frozen=True)
class Settings:
    """Settings read once from the environment.

    Every environment variable the project reads is a field here (one per line, with its
    default), and each is documented in the README's configuration table.
    """

    programme_dir: Path
    spacy_model_dir: Path
    rasa_port: int
    action_port: int
    rasa_token: str
    cors_origins: str
    max_message_chars: int
    data_dir: Path
    events_ics_url: Optional[str] = None
    offers_json_url: Optional[str] = None
    opportunities_json_url: Optional[str] = None
    feed_ttl_seconds: float = 300.0
    feed_timeout_seconds: float = 2.0
    feed_wait_seconds: float = 2.5
    # Live handover to the helpdesk (bot/handoff: hours, live desk, agent console, API).
    office_hours: str = "mon-fri 09:00-17:00"
    office_timezone: str = "Europe/Amsterdam"
    office_holidays: str = "NL"
    office_closed_days: str = ""
    handoff_wait_seconds: int = 180
    console_accounts: str = ""
    console_session_minutes: int = 480
    handoff_webhook_url: str = ""
    handoff_webhook_secret: str = ""
    # Contact requests (bot/handoff: outbox, worker, adapters).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_from: str = ""
    helpdesk_email: str = ""
    klantinteracties_url: str = ""
    klantinteracties_token: str = ""
    klantinteracties_actor: str = ""
    handoff_retention_days: int = 30
    handoff_retry_seconds: float = 30.0
    handoff_retry_max_seconds: float = 3600.0
    handoff_timeout_seconds: float = 15.0
    handoff_worker: bool = True

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            programme_dir=_path("PROGRAMME_DIR", PROJECT_ROOT / "data" / "programme"),
            spacy_model_dir=_path("SPACY_MODEL_DIR", PROJECT_ROOT / "models" / "spacy-nl"),
            rasa_port=int(os.environ.get("RASA_PORT", "5005")),
            action_port=int(os.environ.get("ACTION_PORT", "5055")),
            rasa_token=os.environ.get("RASA_TOKEN", ""),
            cors_origins=os.environ.get("CORS_ORIGINS", DEFAULT_CORS_ORIGINS),
            max_message_chars=int(os.environ.get("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS)),
            data_dir=_path("DATA_DIR", PROJECT_ROOT / "var"),
            events_ics_url=_optional("EVENTS_ICS_URL"),
            offers_json_url=_optional("OFFERS_JSON_URL"),
            opportunities_json_url=_optional("OPPORTUNITIES_JSON_URL"),
            feed_ttl_seconds=float(os.environ.get("FEED_TTL_SECONDS", "300")),
            feed_timeout_seconds=float(os.environ.get("FEED_TIMEOUT_SECONDS", "2")),
            feed_wait_seconds=float(os.environ.get("FEED_WAIT_SECONDS", "2.5")),
            office_hours=os.environ.get("OFFICE_HOURS", "mon-fri 09:00-17:00"),
            office_timezone=os.environ.get("OFFICE_TIMEZONE", "Europe/Amsterdam"),
            office_holidays=os.environ.get("OFFICE_HOLIDAYS", "NL"),
            office_closed_days=os.environ.get("OFFICE_CLOSED_DAYS", ""),
            handoff_wait_seconds=int(os.environ.get("HANDOFF_WAIT_SECONDS", "180")),
            console_accounts=os.environ.get("CONSOLE_ACCOUNTS", ""),
            console_session_minutes=int(os.environ.get("CONSOLE_SESSION_MINUTES", "480")),
            handoff_webhook_url=os.environ.get("HANDOFF_WEBHOOK_URL", ""),
            handoff_webhook_secret=os.environ.get("HANDOFF_WEBHOOK_SECRET", ""),
            smtp_host=os.environ.get("SMTP_HOST", ""),
            smtp_port=int(os.environ.get("SMTP_PORT", "587")),
            smtp_user=os.environ.get("SMTP_USER", ""),
            smtp_password=os.environ.get("SMTP_PASSWORD", ""),
            smtp_starttls=_flag("SMTP_STARTTLS", True),
            smtp_from=os.environ.get("SMTP_FROM", ""),
            helpdesk_email=os.environ.get("HELPDESK_EMAIL", ""),
            klantinteracties_url=os.environ.get("KLANTINTERACTIES_URL", ""),
            klantinteracties_token=os.environ.get("KLANTINTERACTIES_TOKEN", ""),
            klantinteracties_actor=os.environ.get("KLANTINTERACTIES_ACTOR", ""),
            handoff_retention_days=int(os.environ.get("HANDOFF_RETENTION_DAYS", "30")),
            handoff_retry_seconds=float(os.environ.get("HANDOFF_RETRY_SECONDS", "30")),
            handoff_retry_max_seconds=float(os.environ.get("HANDOFF_RETRY_MAX_SECONDS", "3600")),
            handoff_timeout_seconds=float(os.environ.get("HANDOFF_TIMEOUT_SECONDS", "15")),
            handoff_worker=_flag("HANDOFF_WORKER", True),
        )
