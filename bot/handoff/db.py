"""The helpdesk's tables, in the same database as Rasa's tracker store. Pure Python: no Rasa.

`make run` keeps everything in one SQLite file (`<DATA_DIR>/conversations.db`, WAL mode, one
host); a deployment with several replicas uses PostgreSQL. Every piece of handoff state that two
processes or two replicas need lives here: the live desk (handovers, their messages, employees on
duty), console login sessions, the contact-request outbox and its deliveries, and the audit log.
Nothing is kept in a per-process file.

Concurrency, the same on both databases:
- state changes that must happen once (take, close, claim a delivery) are conditional UPDATEs
  whose row count tells the caller whether it won;
- queuing a conversation is `INSERT ... ON CONFLICT DO NOTHING` on a partial unique index (one
  open handover per conversation);
- the outbox is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL plus a lease
  column, so exactly one of N workers delivers a request; SQLite serialises writers instead
  (every write transaction is `BEGIN IMMEDIATE`).
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Union

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

logger = logging.getLogger(__name__)

metadata = sa.MetaData()

OPEN_STATES = ("waiting", "active")
_OPEN = sa.text("status IN ('waiting', 'active')")

live_handoff = sa.Table(
    "handoff_live",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("agent", sa.String(100)),
    sa.Column("transcript", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("taken_at", sa.Float),
    sa.Column("closed_at", sa.Float),
    sa.Column("closed_by", sa.String(16)),
    sa.Column("offered_at", sa.Float),
    sa.Column("announced_at", sa.Float),
    sa.Column("updated_at", sa.Float, nullable=False),
)
sa.Index(
    "handoff_live_one_open",
    live_handoff.c.conversation_id,
    unique=True,
    sqlite_where=_OPEN,
    postgresql_where=_OPEN,
)
sa.Index("handoff_live_status", live_handoff.c.status, live_handoff.c.created_at)
sa.Index("handoff_live_updated", live_handoff.c.updated_at)

live_message = sa.Table(
    "handoff_message",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "handoff_id",
        sa.Integer,
        sa.ForeignKey("handoff_live.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("sender", sa.String(16), nullable=False),
    sa.Column("agent", sa.String(100)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("delivered", sa.Boolean, nullable=False, default=True),
)
sa.Index("handoff_message_handoff", live_message.c.handoff_id, live_message.c.id)

live_duty = sa.Table(
    "handoff_duty",
    metadata,
    sa.Column("agent", sa.String(100), primary_key=True),
    sa.Column("seen_at", sa.Float, nullable=False),
)

console_session = sa.Table(
    "handoff_console_session",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("agent", sa.String(100), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False, default=""),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
sa.Index("handoff_console_session_agent", console_session.c.agent)

contact_request = sa.Table(
    "handoff_contact_request",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)
sa.Index("handoff_contact_request_created", contact_request.c.created_at)

delivery = sa.Table(
    "handoff_delivery",
    metadata,
    sa.Column(
        "reference",
        sa.String(32),
        sa.ForeignKey("handoff_contact_request.reference", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("adapter", sa.String(32), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False, default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("lease_until", sa.Float),
    sa.Column("lease_owner", sa.String(64)),
    sa.Column("state", sa.Text, nullable=False, default="{}"),
    sa.Column("last_error", sa.String(500)),
    sa.Column("delivered_at", sa.Float),
)
sa.Index("handoff_delivery_due", delivery.c.status, delivery.c.next_attempt_at)

audit_log = sa.Table(
    "handoff_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("subject_type", sa.String(32), nullable=False),
    sa.Column("subject_id", sa.String(255), nullable=False),
)
sa.Index("handoff_audit_at", audit_log.c.at)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun explicitly below (pysqlite's own BEGIN handling is switched off).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # Writers take the write lock at once (no deadlock between two upgrading readers);
    # read-only transactions (execution option `readonly`) stay deferred.
    if connection.get_execution_options().get("readonly"):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600); tighten an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            os.chmod(part, 0o600)


class HandoffDB:
    """An engine on the conversation database with the helpdesk's tables created."""

    def __init__(self, url: Union[str, URL]) -> None:
        self.url = sa.engine.make_url(url)
        self.dialect = self.url.get_backend_name()
        if self.dialect == "sqlite":
            if self.url.database:
                _private_file(Path(self.url.database))
            self.engine: Engine = sa.create_engine(
                self.url,
                future=True,
                poolclass=sa.pool.QueuePool,
                pool_size=4,
                max_overflow=4,
                connect_args={"check_same_thread": False, "timeout": 30},
            )
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = sa.create_engine(
                self.url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=5
            )
        self._create_tables()
        self._reader = self.engine.execution_options(readonly=True)

    def _create_tables(self) -> None:
        if not self.postgres:
            metadata.create_all(self.engine)
            return
        # Replicas start together: one creates the tables, the others wait for it.
        with self.engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(4815162342)"))
            metadata.create_all(conn)

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite), committed at the end."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read-only transaction."""
        with self._reader.begin() as conn:
            yield conn

    def insert(self, table: sa.Table) -> Any:
        """The dialect's INSERT (with `on_conflict_do_nothing` / `_do_update`)."""
        if self.postgres:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    def dispose(self) -> None:
        self.engine.dispose()


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite", database=str(path))


def database_url(settings: Any) -> URL:
    """The tracker store's database; the SQLite file under DATA_DIR for the in-memory store."""
    from bot.retention import database_url as tracker_url

    return tracker_url(settings) or sqlite_url(settings.sqlite_path)


_engines: Dict[str, HandoffDB] = {}
_engines_lock = threading.Lock()


def open_db(url: Union[str, URL, Path]) -> HandoffDB:
    """The one HandoffDB of this process for `url` (a Path is an SQLite file)."""
    if isinstance(url, Path):
        url = sqlite_url(url)
    key = str(url)
    with _engines_lock:
        db = _engines.get(key)
        if db is None:
            db = _engines[key] = HandoffDB(url)
            if db.dialect == "sqlite" and db.url.database:
                from bot.handoff import legacy

                legacy.import_from(Path(db.url.database).parent, db)
        return db


def handoff_db(settings: Optional[Any] = None) -> HandoffDB:
    """The HandoffDB of the configured conversation database."""
    if settings is None:
        from bot.settings import Settings

        settings = Settings.from_env()
    return open_db(database_url(settings))


def _after_fork_in_child() -> None:
    """A forked process (Sanic workers) must not use its parent's pooled connections."""
    for db in list(_engines.values()):
        db.engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork_in_child)


def reset_engines() -> None:
    """Forget this process's engines (tests that delete their database files)."""
    with _engines_lock:
        for db in _engines.values():
            db.dispose()
        _engines.clear()
