"""Settings -> generated endpoints file (no secrets in it), and the retention purge on SQLite."""

import sqlite3
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
import yaml

from bot import PROJECT_ROOT, endpoints, retention
from bot.settings import Settings

PRODUCTION = {
    "TRACKER_STORE": "postgresql",
    "POSTGRES_HOST": "db",
    "POSTGRES_DB": "gesprekken",
    "POSTGRES_USER": "rasa",
    "POSTGRES_PASSWORD": "geheim-pg",
    "LOCK_STORE": "redis",
    "REDIS_HOST": "redis",
    "REDIS_PASSWORD": "geheim-redis",
    "EVENT_BROKER": "rabbitmq",
    "RABBITMQ_HOST": "mq",
    "RABBITMQ_PASSWORD": "geheim-mq",
}


def test_default_is_sqlite_under_data_dir(tmp_path):
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "var")})
    path = endpoints.write(tmp_path / "endpoints.yml", settings)
    config = yaml.safe_load(path.read_text())
    assert config["tracker_store"] == {
        "type": "bot.tracker_cache.CachedSQLTrackerStore",  # one Rasa process: cached
        "cache_size": 1000,
        "cache_ttl_seconds": 3600,
        "dialect": "sqlite",
        "db": str(tmp_path / "var" / "conversations.db"),
    }
    assert "lock_store" not in config and "event_broker" not in config
    assert (tmp_path / "var").is_dir()
    assert config["action_endpoint"]["url"] == "http://localhost:5055/webhook"


def test_memory_store_writes_no_tracker_store():
    config = endpoints.endpoints(Settings.from_env({"TRACKER_STORE": "memory"}))
    assert "tracker_store" not in config


def test_unknown_choice_is_refused():
    with pytest.raises(ValueError, match="TRACKER_STORE must be one of"):
        Settings.from_env({"TRACKER_STORE": "mongo"})


def test_production_file_names_secrets_but_does_not_contain_them(tmp_path, monkeypatch):
    settings = Settings.from_env(PRODUCTION)
    path = endpoints.write(tmp_path / "endpoints.yml", settings)
    text = path.read_text()
    for secret in ("geheim-pg", "geheim-redis", "geheim-mq"):
        assert secret not in text
        assert secret not in repr(settings)
    # Rasa expands ${VAR} from its environment when it reads the file.
    for key, value in PRODUCTION.items():
        monkeypatch.setenv(key, value)
    from rasa.core.utils import AvailableEndpoints

    read = AvailableEndpoints.read_endpoints(str(path))
    assert read.tracker_store.type == "SQL"
    assert read.tracker_store.kwargs["password"] == "geheim-pg"
    assert read.tracker_store.kwargs["dialect"] == "postgresql"
    assert read.lock_store.type == "bot.locks.AtomicRedisLockStore"
    assert read.lock_store.kwargs["password"] == "geheim-redis"
    from rasa.core.lock_store import LockStore

    from bot.locks import AtomicRedisLockStore

    store = LockStore.create(read.lock_store)  # what Rasa builds from the file
    assert isinstance(store, AtomicRedisLockStore)
    assert store.red.connection_pool.connection_kwargs["password"] == "geheim-redis"
    assert read.event_broker.type == "pika"
    assert read.event_broker.kwargs["password"] == "geheim-mq"


def _store(db_path, conversations):
    """A real Rasa SQLTrackerStore table with events at the given ages (days)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db_path)).engine.dispose()
    now = time.time()
    with sqlite3.connect(db_path) as conn:
        for sender, ages in conversations.items():
            for age in ages:
                conn.execute(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) "
                    "VALUES (?, 'user', ?, '{}')",
                    (sender, now - age * 86400),
                )
    return now


def count(db_path, sender):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)
        ).fetchone()[0]


def test_purge_deletes_whole_old_conversations_only(tmp_path):
    db = tmp_path / "conversations.db"
    now = _store(db, {"oud": [45, 40, 31], "lopend": [60, 2], "nieuw": [0.1]})
    engine = sa.create_engine(f"sqlite:///{db}")
    assert retention.purge(engine, 30, now) == 1
    assert (count(db, "oud"), count(db, "lopend"), count(db, "nieuw")) == (0, 2, 1)
    assert retention.purge(engine, 30, now) == 0


def test_purge_without_a_database_is_a_no_op(tmp_path):
    assert retention.purge_configured(Settings.from_env({"DATA_DIR": str(tmp_path)})) == 0
    assert retention.purge_configured(Settings.from_env({"TRACKER_STORE": "memory"})) == 0


def test_purge_command(tmp_path):
    db = tmp_path / "conversations.db"
    _store(db, {"oud": [10], "nieuw": [1]})
    env = {"DATA_DIR": str(tmp_path), "RETENTION_DAYS": "7", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "purge-conversations"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "deleted 1 conversation(s) older than 7 days" in out
    assert (count(db, "oud"), count(db, "nieuw")) == (0, 1)


def test_schedule_purges_in_the_background(tmp_path):
    db = tmp_path / "conversations.db"
    _store(db, {"oud": [40]})
    stop = retention.schedule(Settings.from_env({"DATA_DIR": str(tmp_path)}))
    try:
        deadline = time.monotonic() + 30
        while count(db, "oud") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
    assert count(db, "oud") == 0


def test_purge_command_also_deletes_old_handoff_records(tmp_path):
    from bot.handoff.audit import AuditLog
    from bot.handoff.live import LiveDesk, database_path

    old = time.time() - 40 * 86400
    desk = LiveDesk(path=database_path(tmp_path), clock=lambda: old)
    desk.enqueue("rest:oud", "rest", [{"from": "user", "text": "mijn nummer is 0612345678"}])
    AuditLog(desk.db, clock=lambda: old).record("anna", "view", "handoff", "1")
    LiveDesk(path=database_path(tmp_path)).enqueue("rest:nieuw", "rest", [])
    env = {"DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "purge"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "1 live handoffs" in out and "1 audit entries" in out
    assert [h.conversation_id for h in desk.handoffs()] == ["rest:nieuw"]
