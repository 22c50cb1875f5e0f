"""The SQLite file of the contact-request outbox (`<DATA_DIR>/handoff-outbox.sqlite3`).

One file shared by every process (action servers, the purge command, the console): WAL mode,
a busy timeout, and short transactions. Pure Python: no Rasa imports.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

DB_NAME = "handoff-outbox.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS contact_request (
    reference TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery (
    reference TEXT NOT NULL REFERENCES contact_request (reference) ON DELETE CASCADE,
    adapter TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_until REAL,
    state TEXT NOT NULL DEFAULT '{}',
    last_error TEXT,
    delivered_at REAL,
    PRIMARY KEY (reference, adapter)
);
CREATE INDEX IF NOT EXISTS delivery_due ON delivery (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS contact_request_created ON contact_request (created_at);
"""


def database_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), schema created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=30000")
    db.executescript(SCHEMA)
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): one writer at a time."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
