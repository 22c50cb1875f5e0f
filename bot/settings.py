"""Configuration from environment variables, with safe defaults (see the table in README.md)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot import PROJECT_ROOT

DEFAULT_CORS_ORIGINS = "http://localhost:5005"
DEFAULT_MAX_MESSAGE_CHARS = 20000
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


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
    action_host: str
    max_request_bytes: int
    max_metadata_bytes: int
    rate_limit_conversation: int
    rate_limit_address: int
    rate_limit_exempt: str
    trusted_proxies: int
    session_secret: str
    telegram_secret_token: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            programme_dir=_path("PROGRAMME_DIR", PROJECT_ROOT / "data" / "programme"),
            spacy_model_dir=_path("SPACY_MODEL_DIR", PROJECT_ROOT / "models" / "spacy-nl"),
            rasa_port=int(os.environ.get("RASA_PORT", "5005")),
            action_port=int(os.environ.get("ACTION_PORT", "5055")),
            rasa_token=os.environ.get("RASA_TOKEN", ""),
            cors_origins=os.environ.get("CORS_ORIGINS", DEFAULT_CORS_ORIGINS),
            max_message_chars=int(os.environ.get("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS)),
            data_dir=_path("DATA_DIR", PROJECT_ROOT / "var"),
            action_host=os.environ.get("ACTION_HOST", "127.0.0.1"),
            max_request_bytes=int(os.environ.get("MAX_REQUEST_BYTES",
                                                 DEFAULT_MAX_REQUEST_BYTES)),
            max_metadata_bytes=int(os.environ.get("MAX_METADATA_BYTES", "2048")),
            rate_limit_conversation=int(os.environ.get("RATE_LIMIT_CONVERSATION", "30")),
            rate_limit_address=int(os.environ.get("RATE_LIMIT_ADDRESS", "120")),
            rate_limit_exempt=os.environ.get("RATE_LIMIT_EXEMPT", "127.0.0.1,::1"),
            trusted_proxies=int(os.environ.get("TRUSTED_PROXIES", "0")),
            session_secret=os.environ.get("SESSION_SECRET", ""),
            telegram_secret_token=os.environ.get("TELEGRAM_SECRET_TOKEN", ""),
        )
