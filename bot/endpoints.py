"""The Rasa endpoints file, generated at start from Settings: the one place that chooses stores.

Tracker store: SQLite under DATA_DIR (default), PostgreSQL, or memory. Lock store: memory or
Redis. Event broker: none or RabbitMQ. Passwords are written as ``${VAR}``: Rasa expands them
from its own environment when it reads the file, so no secret lands in a file or a command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import yaml

from bot.settings import Settings


def _secret(value: str, var: str) -> Optional[str]:
    return f"${{{var}}}" if value else None


CACHED_STORE = "bot.tracker_cache.CachedSQLTrackerStore"
DEFAULT_TRACKER_CACHE = 1000


def tracker_cache_size(settings: Settings) -> int:
    """Conversations kept in memory by the tracker store (0: Rasa's plain SQLTrackerStore).

    TRACKER_CACHE unset (-1): on for SQLite with one Rasa process, the only writer then; off
    for PostgreSQL (replicas may share it) and with SANIC_WORKERS > 1."""
    if settings.tracker_store == "memory":
        return 0
    if settings.tracker_cache >= 0:
        return settings.tracker_cache
    single_writer = settings.tracker_store == "sqlite" and settings.sanic_workers <= 1
    return DEFAULT_TRACKER_CACHE if single_writer else 0


def _store_type(settings: Settings) -> Dict[str, Any]:
    size = tracker_cache_size(settings)
    if not size:
        return {"type": "SQL"}
    # An entry lives no longer than a session (domain.yml session_expiration_time, 60 min).
    return {"type": CACHED_STORE, "cache_size": size, "cache_ttl_seconds": 3600}


def tracker_store(settings: Settings) -> Optional[Dict[str, Any]]:
    """Rasa's SQLTrackerStore on SQLite or PostgreSQL (cached: bot/tracker_cache.py); None for
    the in-memory store."""
    if settings.tracker_store == "memory":
        return None
    if settings.tracker_store == "sqlite":
        return {**_store_type(settings), "dialect": "sqlite", "db": str(settings.sqlite_path)}
    config: Dict[str, Any] = {
        **_store_type(settings),
        "dialect": "postgresql",
        "url": settings.postgres_host,
        "port": settings.postgres_port,
        "db": settings.postgres_db,
        "username": settings.postgres_user,
    }
    password = _secret(settings.postgres_password, "POSTGRES_PASSWORD")
    if password:
        config["password"] = password
    return config


def lock_store(settings: Settings) -> Optional[Dict[str, Any]]:
    """Rasa's Redis ticket lock with atomic changes (bot/locks.py; needed for more than one Rasa
    process); None = in memory."""
    if settings.lock_store == "memory":
        return None
    config: Dict[str, Any] = {
        "type": "bot.locks.AtomicRedisLockStore",
        "url": settings.redis_host,
        "port": settings.redis_port,
        "db": settings.redis_db,
        "key_prefix": settings.redis_key_prefix,
    }
    password = _secret(settings.redis_password, "REDIS_PASSWORD")
    if password:
        config["password"] = password
    return config


def event_broker(settings: Settings) -> Optional[Dict[str, Any]]:
    """Rasa's PikaEventBroker on RabbitMQ; None = no broker."""
    if settings.event_broker == "none":
        return None
    return {
        "type": "pika",
        "url": settings.rabbitmq_host,
        "port": settings.rabbitmq_port,
        "username": settings.rabbitmq_user,
        "password": _secret(settings.rabbitmq_password, "RABBITMQ_PASSWORD") or "",
        "queues": [settings.rabbitmq_queue],
        "exchange_name": settings.rabbitmq_exchange,
        # A broker that is down at start must not keep the assistant down for 100 s.
        "connection_attempts": 2,
        "retry_delay_in_seconds": 1,
    }


def endpoints(settings: Settings) -> Dict[str, Any]:
    """The endpoints configuration as a dict (what `write` puts in the file)."""
    config: Dict[str, Any] = {
        "action_endpoint": {"url": settings.action_server_url, "enable_selective_domain": True},
    }
    for key, part in (
        ("tracker_store", tracker_store(settings)),
        ("lock_store", lock_store(settings)),
        ("event_broker", event_broker(settings)),
    ):
        if part is not None:
            config[key] = part
    return config


def write(path: Path, settings: Settings) -> Path:
    """Write the endpoints file for `settings`; create DATA_DIR for the SQLite store."""
    if settings.tracker_store == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Generated at start by bot/endpoints.py from the environment.\n"
        + yaml.safe_dump(endpoints(settings), sort_keys=False)
    )
    return path
