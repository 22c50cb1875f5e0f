"""Where `make run` keeps the helpdesk's tables: the SQLite conversation database under DATA_DIR.

The tables themselves are in bot/handoff/db.py (the same database as the tracker store: SQLite
here, PostgreSQL in production). Pure Python: no Rasa imports.
"""

from __future__ import annotations

from pathlib import Path

DB_NAME = "conversations.db"


def database_path(data_dir: Path) -> Path:
    """`<DATA_DIR>/conversations.db` (Settings.sqlite_path)."""
    return Path(data_dir) / DB_NAME
