"""The durable outbox of contact requests: written before the user gets a reference number.

Each request gets one delivery row per adapter (e-mail, Klantinteracties, webhook), in the
conversation database (bot/handoff/db.py), so a request outlives the process and the container
that stored it. Workers on any number of action servers claim due rows with a lease
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, serialised writers on SQLite), so exactly one worker
delivers a row at a time; the adapter's progress (e.g. the uuid of the klantcontact it created)
is kept in `state`; a row is then marked delivered or given its next attempt. Pure Python: no
Rasa imports.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

import sqlalchemy as sa

from bot.handoff.contact import ContactRequest
from bot.handoff.db import HandoffDB, contact_request, delivery, handoff_db, open_db

PENDING, DELIVERED = "pending", "delivered"
R, DL = contact_request.c, delivery.c


class DuplicateReference(Exception):
    """A request with this reference number is stored already."""


@dataclass
class Job:
    """One delivery to do: a request for one adapter, with the adapter's saved progress."""

    request: ContactRequest
    adapter: str
    attempts: int
    state: Dict[str, Any]


class Outbox:
    """Contact requests and their deliveries in the conversation database."""

    def __init__(
        self, db: Union[HandoffDB, Path, str], clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db if isinstance(db, HandoffDB) else open_db(Path(db))
        self.clock = clock
        # Identifies this process's leases (for the logs and the tests).
        self.owner = secrets.token_hex(8)

    @classmethod
    def from_settings(cls, settings: Any) -> Outbox:
        return cls(handoff_db(settings))

    def close(self) -> None:
        """Nothing to release: the engine is shared by the process (kept for callers)."""

    # ------------------------------------------------------------------ writing
    def add(self, request: ContactRequest, adapters: Iterable[str]) -> None:
        """Store `request` with a pending delivery for each adapter (one transaction).

        Raises DuplicateReference when the reference number is taken."""
        now = self.clock()
        insert = (
            self.db.insert(contact_request)
            .values(
                reference=request.reference,
                created_at=now,
                payload=json.dumps(request.to_dict(), ensure_ascii=False),
            )
            .on_conflict_do_nothing(index_elements=["reference"])
        )
        names = list(adapters)
        with self.db.write() as conn:
            if conn.execute(insert).rowcount != 1:
                raise DuplicateReference(request.reference)
            if names:
                conn.execute(
                    sa.insert(delivery),
                    [
                        {
                            "reference": request.reference,
                            "adapter": name,
                            "status": PENDING,
                            "attempts": 0,
                            "next_attempt_at": now,
                            "state": "{}",
                        }
                        for name in names
                    ],
                )

    def ensure_deliveries(self, adapters: Iterable[str]) -> int:
        """Add a pending delivery for each stored request an adapter has no row for yet.

        An adapter configured later (say SMTP after a run with none) still gets the requests
        kept in the outbox meanwhile. Returns how many rows were added."""
        now = self.clock()
        added = 0
        with self.db.write() as conn:
            for name in adapters:
                missing = sa.select(
                    R.reference,
                    sa.literal(name),
                    sa.literal(PENDING),
                    sa.literal(0),
                    sa.literal(now),
                    sa.literal("{}"),
                ).where(~sa.exists().where(DL.reference == R.reference, DL.adapter == name))
                added += conn.execute(
                    sa.insert(delivery).from_select(
                        ["reference", "adapter", "status", "attempts", "next_attempt_at", "state"],
                        missing,
                    )
                ).rowcount
        return max(added, 0)

    def reschedule_pending(self, at: float) -> int:
        """Make every pending, unleased delivery due at `at` (a worker starting: retry now)."""
        now = self.clock()
        with self.db.write() as conn:
            return conn.execute(
                sa.update(delivery)
                .where(
                    DL.status == PENDING,
                    DL.next_attempt_at > at,
                    sa.or_(DL.lease_until.is_(None), DL.lease_until < now),
                )
                .values(next_attempt_at=at)
            ).rowcount

    def claim(self, adapters: Iterable[str], lease_seconds: float, limit: int = 10) -> List[Job]:
        """Due pending deliveries for `adapters`, leased to the caller for `lease_seconds`.

        Rows another worker holds (a lease, or a row lock on PostgreSQL) are skipped, and each
        lease is set with a conditional UPDATE: a row is never handed to two workers at once."""
        names = list(adapters)
        if not names:
            return []
        now = self.clock()
        due = (
            sa.select(DL.reference, DL.adapter, DL.attempts, DL.state)
            .where(
                DL.status == PENDING,
                DL.adapter.in_(names),
                DL.next_attempt_at <= now,
                sa.or_(DL.lease_until.is_(None), DL.lease_until < now),
            )
            .order_by(DL.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = []
        with self.db.write() as conn:
            for row in conn.execute(due).all():
                won = conn.execute(
                    sa.update(delivery)
                    .where(
                        DL.reference == row.reference,
                        DL.adapter == row.adapter,
                        DL.status == PENDING,
                        sa.or_(DL.lease_until.is_(None), DL.lease_until < now),
                    )
                    .values(
                        lease_until=now + lease_seconds,
                        lease_owner=self.owner,
                        attempts=DL.attempts + 1,
                    )
                ).rowcount
                if won == 1:
                    claimed.append(row)
            payloads = {
                r.reference: r.payload
                for r in conn.execute(
                    sa.select(R.reference, R.payload).where(
                        R.reference.in_({r.reference for r in claimed})
                    )
                )
            }
        return [
            Job(
                ContactRequest.from_dict(json.loads(payloads[r.reference])),
                r.adapter,
                r.attempts + 1,
                json.loads(r.state or "{}"),
            )
            for r in claimed
            if r.reference in payloads
        ]

    def _set(self, reference: str, adapter: str, **values: Any) -> None:
        with self.db.write() as conn:
            conn.execute(
                sa.update(delivery)
                .where(DL.reference == reference, DL.adapter == adapter)
                .values(**values)
            )

    def save_state(self, reference: str, adapter: str, state: Dict[str, Any]) -> None:
        """Remember an adapter's progress at once (before its next remote call)."""
        self._set(reference, adapter, state=json.dumps(state))

    def delivered(self, reference: str, adapter: str) -> None:
        self._set(
            reference,
            adapter,
            status=DELIVERED,
            delivered_at=self.clock(),
            lease_until=None,
            lease_owner=None,
            last_error=None,
        )

    def retry_later(self, reference: str, adapter: str, at: float, error: str) -> None:
        """Schedule the next attempt; `error` must already be redacted."""
        self._set(
            reference,
            adapter,
            next_attempt_at=at,
            lease_until=None,
            lease_owner=None,
            last_error=error[:500],
        )

    def purge(self, before: datetime) -> int:
        """Delete requests (and their deliveries) stored before `before`; return how many."""
        cutoff = before.timestamp()
        with self.db.write() as conn:
            old = sa.select(R.reference).where(R.created_at < cutoff)
            conn.execute(sa.delete(delivery).where(DL.reference.in_(old)))
            return conn.execute(sa.delete(contact_request).where(R.created_at < cutoff)).rowcount

    # ------------------------------------------------------------------ reading
    def get(self, reference: str) -> Optional[ContactRequest]:
        with self.db.read() as conn:
            payload = conn.execute(sa.select(R.payload).where(R.reference == reference)).scalar()
        return ContactRequest.from_dict(json.loads(payload)) if payload else None

    def deliveries(self, reference: Optional[str] = None) -> List[Dict[str, Any]]:
        """Delivery rows (status, attempts, last_error) for the console and the tests."""
        query = sa.select(
            DL.reference, DL.adapter, DL.status, DL.attempts, DL.last_error, DL.delivered_at
        ).order_by(DL.reference, DL.adapter)
        if reference:
            query = query.where(DL.reference == reference)
        with self.db.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def recent(self, limit: int = 100) -> List[Dict[str, Any]]:
        """The latest requests, newest first, each with its deliveries (for the agent console)."""
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(R.reference, R.created_at, R.payload)
                .order_by(R.created_at.desc())
                .limit(limit)
            ).all()
        result = []
        for row in rows:
            item = json.loads(row.payload)
            item["stored_at"] = row.created_at
            item["deliveries"] = self.deliveries(row.reference)
            result.append(item)
        return result

    def count(self) -> int:
        with self.db.read() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(contact_request)).scalar_one()
            )


def open_outbox(data_dir: Path) -> Outbox:
    """The outbox of `make run`'s SQLite conversation database under `data_dir`."""
    from bot.handoff.store import database_path

    return Outbox(database_path(data_dir))
