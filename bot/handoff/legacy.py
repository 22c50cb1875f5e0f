"""One-time import of the helpdesk's old per-process SQLite files into the shared database.

Before the handoff state moved into the conversation database (bot/handoff/db.py), it lived in
three files under DATA_DIR: `handoff-live.sqlite3` (live desk), `handoff-outbox.sqlite3`
(contact requests and deliveries) and `handoff-console.sqlite3` (login sessions, not imported:
employees log in again). `import_from(DATA_DIR, db)` copies their rows into `db` and renames
each file to `*.imported`, so the import runs once. `make run` does it on the first start
(opening the SQLite database); for PostgreSQL run `python -m bot import-handoff DIR` with the
folder of the old files. Pure Python: no Rasa imports.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Dict

import sqlalchemy as sa

from bot.handoff.db import HandoffDB, contact_request, delivery, live_handoff, live_message

logger = logging.getLogger(__name__)

LIVE_FILE = "handoff-live.sqlite3"
OUTBOX_FILE = "handoff-outbox.sqlite3"
CONSOLE_FILE = "handoff-console.sqlite3"


def _rows(path: Path, table: str) -> list:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        if not db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)
        ).fetchone():
            return []
        return [dict(r) for r in db.execute(f"SELECT * FROM {table}")]  # noqa: S608 (fixed names)
    finally:
        db.close()


def _retire(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.rename(path.with_name(path.name + ".imported"))


def import_from(folder: Path, db: HandoffDB) -> Dict[str, int]:
    """Import the old files found in `folder` into `db`; counts of imported rows."""
    counts: Dict[str, int] = {}
    live = Path(folder) / LIVE_FILE
    if live.is_file():
        handoffs = _rows(live, "live_handoff")
        messages = _rows(live, "live_message")
        ids: Dict[int, int] = {}
        with db.write() as conn:
            for row in handoffs:
                old_id = row.pop("id")
                row.setdefault("closed_by", None)
                result = conn.execute(sa.insert(live_handoff).values(**row))
                ids[old_id] = result.inserted_primary_key[0]
            for row in messages:
                row.pop("id")
                if row["handoff_id"] in ids:
                    row["handoff_id"] = ids[row["handoff_id"]]
                    row["delivered"] = bool(row["delivered"])
                    conn.execute(sa.insert(live_message).values(**row))
        counts["live_handoffs"] = len(handoffs)
        _retire(live)
    outbox = Path(folder) / OUTBOX_FILE
    if outbox.is_file():
        requests = _rows(outbox, "contact_request")
        deliveries = _rows(outbox, "delivery")
        with db.write() as conn:
            known = {r[0] for r in conn.execute(sa.select(contact_request.c.reference))}
            for row in requests:
                if row["reference"] not in known:
                    conn.execute(sa.insert(contact_request).values(**row))
            for row in deliveries:
                if row["reference"] not in known:
                    conn.execute(sa.insert(delivery).values(**row, lease_owner=None))
        counts["contact_requests"] = len(requests)
        _retire(outbox)
    console = Path(folder) / CONSOLE_FILE
    if console.is_file():
        _retire(console)  # sessions are not carried over: employees log in again
    if counts:
        logger.info(
            "handoff: imported the old SQLite files of %s (%s)",
            folder,
            ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()),
        )
    return counts
