"""The durable outbox of contact requests: written before the user gets a reference number.

Each request gets one delivery row per adapter (e-mail, Klantinteracties, webhook). The worker
claims due rows with a lease (so two processes never deliver the same row at once), keeps the
adapter's progress in `state` (e.g. the uuid of the klantcontact it created), and marks a row
delivered or schedules the next attempt. Pure Python: no Rasa imports.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

from bot.handoff import store
from bot.handoff.contact import ContactRequest

PENDING, DELIVERED = "pending", "delivered"


@dataclass
class Job:
    """One delivery to do: a request for one adapter, with the adapter's saved progress."""

    request: ContactRequest
    adapter: str
    attempts: int
    state: Dict[str, Any]


class Outbox:
    """Contact requests and their deliveries in SQLite under DATA_DIR."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self._db = store.connect(self.path)
        self._lock = threading.Lock()  # one connection, shared by the threads of a process

    @classmethod
    def from_settings(cls, settings: Any) -> Outbox:
        return cls(store.database_path(settings.data_dir))

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ writing
    def add(self, request: ContactRequest, adapters: Iterable[str]) -> None:
        """Store `request` with a pending delivery for each adapter (one transaction)."""
        now = self.clock()
        with self._lock, store.transaction(self._db) as db:
            db.execute(
                "INSERT INTO contact_request (reference, created_at, payload) VALUES (?, ?, ?)",
                (request.reference, now, json.dumps(request.to_dict(), ensure_ascii=False)),
            )
            db.executemany(
                "INSERT INTO delivery (reference, adapter, next_attempt_at) VALUES (?, ?, ?)",
                [(request.reference, name, now) for name in adapters],
            )

    def ensure_deliveries(self, adapters: Iterable[str]) -> int:
        """Add a pending delivery for each stored request an adapter has no row for yet.

        An adapter configured later (say SMTP after a run with none) still gets the requests
        kept in the outbox meanwhile. Returns how many rows were added."""
        now = self.clock()
        added = 0
        with self._lock, store.transaction(self._db) as db:
            for name in adapters:
                added += db.execute(
                    "INSERT OR IGNORE INTO delivery (reference, adapter, next_attempt_at) "
                    "SELECT reference, ?, ? FROM contact_request",
                    (name, now),
                ).rowcount
        return added

    def claim(self, adapters: Iterable[str], lease_seconds: float, limit: int = 10) -> List[Job]:
        """Due pending deliveries for `adapters`, leased to the caller for `lease_seconds`."""
        names = list(adapters)
        if not names:
            return []
        now = self.clock()
        marks = ",".join("?" for _ in names)
        with self._lock, store.transaction(self._db) as db:
            rows = db.execute(
                f"SELECT d.reference, d.adapter, d.attempts, d.state, r.payload FROM delivery d "
                f"JOIN contact_request r USING (reference) WHERE d.status = ? "
                f"AND d.adapter IN ({marks}) AND d.next_attempt_at <= ? "
                f"AND (d.lease_until IS NULL OR d.lease_until < ?) "
                f"ORDER BY d.next_attempt_at LIMIT ?",
                (PENDING, *names, now, now, limit),
            ).fetchall()
            db.executemany(
                "UPDATE delivery SET lease_until = ?, attempts = attempts + 1 "
                "WHERE reference = ? AND adapter = ?",
                [(now + lease_seconds, r["reference"], r["adapter"]) for r in rows],
            )
        return [
            Job(
                ContactRequest.from_dict(json.loads(r["payload"])),
                r["adapter"],
                r["attempts"] + 1,
                json.loads(r["state"] or "{}"),
            )
            for r in rows
        ]

    def save_state(self, reference: str, adapter: str, state: Dict[str, Any]) -> None:
        """Remember an adapter's progress at once (before its next remote call)."""
        with self._lock:
            self._db.execute(
                "UPDATE delivery SET state = ? WHERE reference = ? AND adapter = ?",
                (json.dumps(state), reference, adapter),
            )

    def delivered(self, reference: str, adapter: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE delivery SET status = ?, delivered_at = ?, lease_until = NULL, "
                "last_error = NULL WHERE reference = ? AND adapter = ?",
                (DELIVERED, self.clock(), reference, adapter),
            )

    def retry_later(self, reference: str, adapter: str, at: float, error: str) -> None:
        """Schedule the next attempt; `error` must already be redacted."""
        with self._lock:
            self._db.execute(
                "UPDATE delivery SET next_attempt_at = ?, lease_until = NULL, last_error = ? "
                "WHERE reference = ? AND adapter = ?",
                (at, error[:500], reference, adapter),
            )

    def purge(self, before: datetime) -> int:
        """Delete requests (and their deliveries) stored before `before`; return how many."""
        with self._lock, store.transaction(self._db) as db:
            cutoff = before.timestamp()
            db.execute(
                "DELETE FROM delivery WHERE reference IN "
                "(SELECT reference FROM contact_request WHERE created_at < ?)",
                (cutoff,),
            )
            return db.execute(
                "DELETE FROM contact_request WHERE created_at < ?", (cutoff,)
            ).rowcount

    # ------------------------------------------------------------------ reading
    def get(self, reference: str) -> Optional[ContactRequest]:
        with self._lock:
            row = self._db.execute(
                "SELECT payload FROM contact_request WHERE reference = ?", (reference,)
            ).fetchone()
        return ContactRequest.from_dict(json.loads(row["payload"])) if row else None

    def deliveries(self, reference: Optional[str] = None) -> List[Dict[str, Any]]:
        """Delivery rows (status, attempts, last_error) for the console and the tests."""
        query = (
            "SELECT reference, adapter, status, attempts, last_error, delivered_at FROM delivery"
        )
        args: tuple = ()
        if reference:
            query += " WHERE reference = ?"
            args = (reference,)
        with self._lock:
            return [dict(r) for r in self._db.execute(query + " ORDER BY reference", args)]

    def recent(self, limit: int = 100) -> List[Dict[str, Any]]:
        """The latest requests, newest first, each with its deliveries (for the agent console)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT reference, created_at, payload FROM contact_request "
                "ORDER BY created_at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        result = []
        for row in rows:
            item = json.loads(row["payload"])
            item["stored_at"] = row["created_at"]
            item["deliveries"] = self.deliveries(row["reference"])
            result.append(item)
        return result

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM contact_request").fetchone()[0]


def open_outbox(data_dir: Path) -> Outbox:
    return Outbox(store.database_path(data_dir))
