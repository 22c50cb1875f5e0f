"""The live desk: conversations waiting for an employee of the helpdesk, and their messages.

State lives in SQLite (`<DATA_DIR>/handoff-live.sqlite3`), shared by the action server (which
queues a conversation: `enqueue`) and the Rasa server (which relays the user's messages, serves
the agent console and the live-chat API). Every change is one SQL statement or one immediate
transaction, so two employees can never take the same conversation (`take`).

A handover moves through: waiting -> active (an employee took it) -> closed; or waiting ->
cancelled (the user chose a contact request instead). Pure Python: no Rasa imports.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

logger = logging.getLogger(__name__)

DB_NAME = "handoff-live.sqlite3"
WAITING, ACTIVE, CLOSED, CANCELLED = "waiting", "active", "closed", "cancelled"
OPEN_STATES = (WAITING, ACTIVE)
# An employee counts as on duty while their console (or the live-chat API) was seen this recently.
DUTY_SECONDS = 120.0

Transcript = Union[str, Sequence[Mapping[str, Any]]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS live_handoff (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    agent TEXT,
    transcript TEXT NOT NULL,
    created_at REAL NOT NULL,
    taken_at REAL,
    closed_at REAL,
    offered_at REAL,
    announced_at REAL,
    updated_at REAL NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS live_handoff_one_open
    ON live_handoff (conversation_id) WHERE status IN ('waiting', 'active');
CREATE INDEX IF NOT EXISTS live_handoff_status ON live_handoff (status, created_at);
CREATE TABLE IF NOT EXISTS live_message (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    handoff_id INTEGER NOT NULL REFERENCES live_handoff (id) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    agent TEXT,
    text TEXT NOT NULL,
    created_at REAL NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS live_message_handoff ON live_message (handoff_id, id);
CREATE TABLE IF NOT EXISTS live_duty (
    agent TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Handoff:
    """One handover of a conversation to the helpdesk."""

    id: int
    conversation_id: str
    channel: str
    status: str
    agent: Optional[str]
    transcript: List[Dict[str, Any]]
    created_at: float
    taken_at: Optional[float]
    closed_at: Optional[float]
    offered_at: Optional[float]
    announced_at: Optional[float]

    def as_json(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "status": self.status,
            "agent": self.agent,
            "transcript": self.transcript,
            "created_at": _iso(self.created_at),
            "taken_at": _iso(self.taken_at),
            "closed_at": _iso(self.closed_at),
        }


@dataclass(frozen=True)
class Message:
    """A message during a handover: from the user, an employee (agent) or the system."""

    id: int
    handoff_id: int
    sender: str
    agent: Optional[str]
    text: str
    created_at: float

    def as_json(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "from": self.sender,
            "agent": self.agent,
            "text": self.text,
            "at": _iso(self.created_at),
        }


def _iso(ts: Optional[float]) -> Optional[str]:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def normalise_transcript(transcript: Transcript) -> List[Dict[str, Any]]:
    """A list of {"from": "user"|"bot"|..., "text": str} from a list of dicts or plain text.

    Accepted item keys: "from" or "sender" or "role" (who), "text" (what), "at"/"time" (when).
    """
    if isinstance(transcript, str):
        return [{"from": "transcript", "text": transcript}] if transcript.strip() else []
    result = []
    for item in transcript or []:
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        who = item.get("from") or item.get("sender") or item.get("role") or "unknown"
        entry: Dict[str, Any] = {"from": str(who), "text": text}
        when = item.get("at") or item.get("time") or item.get("timestamp")
        if when is not None:
            entry["at"] = when if isinstance(when, str) else _iso(float(when))
        result.append(entry)
    return result


def database_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


class LiveDesk:
    """The queue of handovers and their messages (see the module docstring)."""

    def __init__(self, settings: Any = None, path: Optional[Path] = None, clock=time.time) -> None:
        if path is None:
            if settings is None:
                from bot.settings import Settings

                settings = Settings.from_env()
            path = database_path(settings.data_dir)
        self.path = Path(path)
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    # ------------------------------------------------------------------ connection
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @staticmethod
    def _handoff(row: sqlite3.Row) -> Handoff:
        return Handoff(
            id=row["id"],
            conversation_id=row["conversation_id"],
            channel=row["channel"],
            status=row["status"],
            agent=row["agent"],
            transcript=json.loads(row["transcript"]),
            created_at=row["created_at"],
            taken_at=row["taken_at"],
            closed_at=row["closed_at"],
            offered_at=row["offered_at"],
            announced_at=row["announced_at"],
        )

    # ------------------------------------------------------------------ queue
    def enqueue(self, conversation_id: str, channel: str, transcript: Transcript) -> int:
        """Queue a conversation for an employee; return its place in the queue (1-based).

        Queuing a conversation that is already waiting returns its current place (and
        keeps its transcript); one that an employee already has returns 0.
        """
        now = self.clock()
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM live_handoff WHERE conversation_id = ? AND status IN (?, ?)",
                (conversation_id, *OPEN_STATES),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO live_handoff (conversation_id, channel, status, transcript,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        conversation_id,
                        channel or "unknown",
                        WAITING,
                        json.dumps(normalise_transcript(transcript), ensure_ascii=False),
                        now,
                        now,
                    ),
                )
            elif row["status"] == ACTIVE:
                return 0
        logger.debug("Queued a conversation for the live desk (channel %s)", channel)
        return self.position(conversation_id) or 1

    def position(self, conversation_id: str) -> Optional[int]:
        """The 1-based place in the queue of a waiting conversation; None if not waiting."""
        with self._connect() as db:
            row = db.execute(
                "SELECT created_at, id FROM live_handoff WHERE conversation_id = ? AND status = ?",
                (conversation_id, WAITING),
            ).fetchone()
            if row is None:
                return None
            ahead = db.execute(
                "SELECT COUNT(*) FROM live_handoff WHERE status = ? AND (created_at < ? OR "
                "(created_at = ? AND id < ?))",
                (WAITING, row["created_at"], row["created_at"], row["id"]),
            ).fetchone()[0]
        return ahead + 1

    def open_handoff(self, conversation_id: str) -> Optional[Handoff]:
        """The waiting or active handover of a conversation, if any."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM live_handoff WHERE conversation_id = ? AND status IN (?, ?)",
                (conversation_id, *OPEN_STATES),
            ).fetchone()
        return self._handoff(row) if row else None

    def get(self, handoff_id: int) -> Optional[Handoff]:
        with self._connect() as db:
            row = db.execute("SELECT * FROM live_handoff WHERE id = ?", (handoff_id,)).fetchone()
        return self._handoff(row) if row else None

    def handoffs(self, statuses: Sequence[str] = OPEN_STATES, limit: int = 200) -> List[Handoff]:
        """Handovers in these states, oldest first."""
        marks = ", ".join("?" for _ in statuses)
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM live_handoff WHERE status IN ({marks}) "
                "ORDER BY created_at, id LIMIT ?",
                (*statuses, limit),
            ).fetchall()
        return [self._handoff(r) for r in rows]

    def take(self, handoff_id: int, agent: str) -> bool:
        """An employee takes a waiting conversation. Atomic: only one employee succeeds."""
        now = self.clock()
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE live_handoff SET status = ?, agent = ?, taken_at = ?, updated_at = ? "
                "WHERE id = ? AND status = ?",
                (ACTIVE, agent, now, now, handoff_id, WAITING),
            )
        taken = cursor.rowcount == 1
        logger.debug(
            "Take of handoff %s by an employee: %s", handoff_id, "ok" if taken else "refused"
        )
        return taken

    def close(self, handoff_id: int, agent: Optional[str] = None) -> bool:
        """Close an active handover (by its employee, when `agent` is given)."""
        now = self.clock()
        query = (
            "UPDATE live_handoff SET status = ?, closed_at = ?, updated_at = ? "
            "WHERE id = ? AND status = ?"
        )
        params: List[Any] = [CLOSED, now, now, handoff_id, ACTIVE]
        if agent is not None:
            query += " AND agent = ?"
            params.append(agent)
        with self._connect() as db:
            return db.execute(query, params).rowcount == 1

    def cancel(self, conversation_id: str) -> bool:
        """The user leaves the queue (e.g. for a contact request). Only while waiting."""
        now = self.clock()
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE live_handoff SET status = ?, closed_at = ?, updated_at = ? "
                "WHERE conversation_id = ? AND status = ?",
                (CANCELLED, now, now, conversation_id, WAITING),
            )
        return cursor.rowcount == 1

    def mark(self, handoff_id: int, column: str) -> bool:
        """Set `announced_at` or `offered_at` once; True for the caller that set it."""
        if column not in ("announced_at", "offered_at"):
            raise ValueError(column)
        now = self.clock()
        with self._connect() as db:
            cursor = db.execute(
                f"UPDATE live_handoff SET {column} = ?, updated_at = ? "
                f"WHERE id = ? AND {column} IS NULL",
                (now, now, handoff_id),
            )
        return cursor.rowcount == 1

    def unannounced(self) -> List[Handoff]:
        """Waiting handovers the Rasa server has not yet announced (webhook, widget)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM live_handoff WHERE status = ? AND announced_at IS NULL ORDER BY id",
                (WAITING,),
            ).fetchall()
        return [self._handoff(r) for r in rows]

    def overdue(self, wait_seconds: float) -> List[Handoff]:
        """Waiting handovers no employee took in `wait_seconds`, not yet offered an alternative."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM live_handoff WHERE status = ? AND offered_at IS NULL "
                "AND created_at <= ? ORDER BY id",
                (WAITING, self.clock() - wait_seconds),
            ).fetchall()
        return [self._handoff(r) for r in rows]

    # ------------------------------------------------------------------ messages
    def add_message(
        self,
        handoff_id: int,
        sender: str,
        text: str,
        agent: Optional[str] = None,
        delivered: bool = True,
    ) -> Message:
        now = self.clock()
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO live_message (handoff_id, sender, agent, text, created_at, delivered)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (handoff_id, sender, agent, text, now, int(delivered)),
            )
            db.execute("UPDATE live_handoff SET updated_at = ? WHERE id = ?", (now, handoff_id))
        assert cursor.lastrowid is not None  # set by the successful INSERT above
        return Message(cursor.lastrowid, handoff_id, sender, agent, text, now)

    def messages(self, handoff_id: int, after: int = 0) -> List[Message]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM live_message WHERE handoff_id = ? AND id > ? ORDER BY id",
                (handoff_id, after),
            ).fetchall()
        return [
            Message(r["id"], r["handoff_id"], r["sender"], r["agent"], r["text"], r["created_at"])
            for r in rows
        ]

    def mark_pending(self, message_id: int) -> None:
        """The user's channel cannot push: deliver with the reply to their next message."""
        with self._connect() as db:
            db.execute("UPDATE live_message SET delivered = 0 WHERE id = ?", (message_id,))

    def undelivered(self, conversation_id: str) -> List[Message]:
        """Messages for a user on a channel that cannot push (REST); marks them delivered."""
        with self._connect() as db:  # the common case, nothing pending: no write lock
            if (
                db.execute(
                    "SELECT 1 FROM live_message m JOIN live_handoff h ON h.id = m.handoff_id "
                    "WHERE h.conversation_id = ? AND m.delivered = 0 LIMIT 1",
                    (conversation_id,),
                ).fetchone()
                is None
            ):
                return []
        with self._transaction() as db:
            rows = db.execute(
                "SELECT m.* FROM live_message m JOIN live_handoff h ON h.id = m.handoff_id "
                "WHERE h.conversation_id = ? AND m.delivered = 0 ORDER BY m.id",
                (conversation_id,),
            ).fetchall()
            db.execute(
                "UPDATE live_message SET delivered = 1 WHERE delivered = 0 AND handoff_id IN "
                "(SELECT id FROM live_handoff WHERE conversation_id = ?)",
                (conversation_id,),
            )
        return [
            Message(r["id"], r["handoff_id"], r["sender"], r["agent"], r["text"], r["created_at"])
            for r in rows
        ]

    # ------------------------------------------------------------------ duty
    def seen(self, agent: str) -> None:
        """An employee is on duty now (the console or the live-chat API calls this)."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO live_duty (agent, seen_at) VALUES (?, ?) ON CONFLICT(agent) "
                "DO UPDATE SET seen_at = excluded.seen_at",
                (agent, self.clock()),
            )

    def off_duty(self, agent: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM live_duty WHERE agent = ?", (agent,))

    def agents_on_duty(self) -> bool:
        """True when an employee was seen in the last DUTY_SECONDS."""
        with self._connect() as db:
            row = db.execute(
                "SELECT COUNT(*) FROM live_duty WHERE seen_at >= ?", (self.clock() - DUTY_SECONDS,)
            ).fetchone()
        return row[0] > 0

    # ------------------------------------------------------------------ retention
    def purge(self, before: datetime) -> int:
        """Delete handovers (with their messages) last changed before `before`; return count."""
        cutoff = before.timestamp()
        with self._transaction() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT id FROM live_handoff WHERE updated_at < ?", (cutoff,)
                ).fetchall()
            ]
            db.executemany("DELETE FROM live_message WHERE handoff_id = ?", [(i,) for i in ids])
            db.executemany("DELETE FROM live_handoff WHERE id = ?", [(i,) for i in ids])
            db.execute("DELETE FROM live_duty WHERE seen_at < ?", (cutoff,))
        return len(ids)


def purge(before: datetime, settings: Any = None) -> int:
    """Delete live-desk records last changed before `before`; return how many handovers."""
    return LiveDesk(settings).purge(before)
