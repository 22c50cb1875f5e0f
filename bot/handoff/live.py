"""The live desk: conversations waiting for an employee of the helpdesk, and their messages.

State lives in the conversation database (bot/handoff/db.py: SQLite under DATA_DIR for
`make run`, PostgreSQL for replicas), shared by the action servers (which queue a conversation:
`enqueue`) and the Rasa servers (which relay the user's messages, serve the agent console and
the live-chat API). Every change is one conditional SQL statement or one short transaction, so
two employees on two replicas can never take the same conversation (`take`).

A handover moves through: waiting -> active (an employee took it) -> closed; or waiting ->
cancelled (the user chose a contact request instead, or started a new conversation).
Pure Python: no Rasa imports.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import sqlalchemy as sa

from bot.handoff.db import HandoffDB, handoff_db, live_duty, live_handoff, live_message, open_db

logger = logging.getLogger(__name__)

WAITING, ACTIVE, CLOSED, CANCELLED = "waiting", "active", "closed", "cancelled"
OPEN_STATES = (WAITING, ACTIVE)
# An employee counts as on duty while their console (or the live-chat API) was seen this recently.
DUTY_SECONDS = 120.0

Transcript = Union[str, Sequence[Mapping[str, Any]]]


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
    """The SQLite conversation database of `make run` (where the live desk lives too)."""
    return Path(data_dir) / "conversations.db"


H, M, D = live_handoff.c, live_message.c, live_duty.c


def _handoff(row: Any) -> Handoff:
    return Handoff(
        id=row.id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        status=row.status,
        agent=row.agent,
        transcript=json.loads(row.transcript),
        created_at=row.created_at,
        taken_at=row.taken_at,
        closed_at=row.closed_at,
        offered_at=row.offered_at,
        announced_at=row.announced_at,
    )


def _message(row: Any) -> Message:
    return Message(row.id, row.handoff_id, row.sender, row.agent, row.text, row.created_at)


class LiveDesk:
    """The queue of handovers and their messages (see the module docstring)."""

    def __init__(
        self,
        settings: Any = None,
        path: Optional[Path] = None,
        clock=time.time,
        db: Optional[HandoffDB] = None,
    ) -> None:
        if db is None:
            db = open_db(Path(path)) if path is not None else handoff_db(settings)
        self.db = db
        self.clock = clock

    # ------------------------------------------------------------------ queue
    def enqueue(self, conversation_id: str, channel: str, transcript: Transcript) -> int:
        """Queue a conversation for an employee; return its place in the queue (1-based).

        Queuing a conversation that is already waiting returns its current place (and
        keeps its transcript); one that an employee already has returns 0.
        """
        now = self.clock()
        insert = (
            self.db.insert(live_handoff)
            .values(
                conversation_id=conversation_id,
                channel=channel or "unknown",
                status=WAITING,
                transcript=json.dumps(normalise_transcript(transcript), ensure_ascii=False),
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(
                index_elements=["conversation_id"], index_where=H.status.in_(OPEN_STATES)
            )
        )
        with self.db.write() as conn:
            conn.execute(insert)
            status = conn.execute(
                sa.select(H.status).where(
                    H.conversation_id == conversation_id, H.status.in_(OPEN_STATES)
                )
            ).scalar()
        if status == ACTIVE:
            return 0
        logger.debug("Queued a conversation for the live desk (channel %s)", channel)
        return self.position(conversation_id) or 1

    def position(self, conversation_id: str) -> Optional[int]:
        """The 1-based place in the queue of a waiting conversation; None if not waiting."""
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(H.created_at, H.id).where(
                    H.conversation_id == conversation_id, H.status == WAITING
                )
            ).first()
            if row is None:
                return None
            ahead = conn.execute(
                sa.select(sa.func.count())
                .select_from(live_handoff)
                .where(
                    H.status == WAITING,
                    sa.or_(
                        H.created_at < row.created_at,
                        sa.and_(H.created_at == row.created_at, H.id < row.id),
                    ),
                )
            ).scalar_one()
        return int(ahead) + 1

    def open_handoff(self, conversation_id: str) -> Optional[Handoff]:
        """The waiting or active handover of a conversation, if any."""
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(live_handoff).where(
                    H.conversation_id == conversation_id, H.status.in_(OPEN_STATES)
                )
            ).first()
        return _handoff(row) if row else None

    def get(self, handoff_id: int) -> Optional[Handoff]:
        with self.db.read() as conn:
            row = conn.execute(sa.select(live_handoff).where(H.id == handoff_id)).first()
        return _handoff(row) if row else None

    def handoffs(self, statuses: Sequence[str] = OPEN_STATES, limit: int = 200) -> List[Handoff]:
        """Handovers in these states, oldest first."""
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(live_handoff)
                .where(H.status.in_(list(statuses)))
                .order_by(H.created_at, H.id)
                .limit(limit)
            ).all()
        return [_handoff(r) for r in rows]

    def _update(self, where: Any, **values: Any) -> int:
        with self.db.write() as conn:
            return conn.execute(sa.update(live_handoff).where(where).values(**values)).rowcount

    def take(self, handoff_id: int, agent: str) -> bool:
        """An employee takes a waiting conversation. Atomic: only one employee succeeds."""
        now = self.clock()
        taken = (
            self._update(
                sa.and_(H.id == handoff_id, H.status == WAITING),
                status=ACTIVE,
                agent=agent,
                taken_at=now,
                updated_at=now,
            )
            == 1
        )
        logger.debug(
            "Take of handoff %s by an employee: %s", handoff_id, "ok" if taken else "refused"
        )
        return taken

    def close(self, handoff_id: int, agent: Optional[str] = None) -> bool:
        """Close an active handover (by its employee, when `agent` is given)."""
        now = self.clock()
        where = sa.and_(H.id == handoff_id, H.status == ACTIVE)
        if agent is not None:
            where = sa.and_(where, H.agent == agent)
        return (
            self._update(where, status=CLOSED, closed_at=now, closed_by="agent", updated_at=now)
            == 1
        )

    def cancel(self, conversation_id: str) -> bool:
        """The user leaves the queue (e.g. for a contact request). Only while waiting."""
        now = self.clock()
        return (
            self._update(
                sa.and_(H.conversation_id == conversation_id, H.status == WAITING),
                status=CANCELLED,
                closed_at=now,
                closed_by="user",
                updated_at=now,
            )
            == 1
        )

    def leave(self, conversation_id: str) -> Optional[Handoff]:
        """The user ends their open handover (a new conversation): waiting -> cancelled,
        active -> closed. Returns the ended handover (its new state), or None."""
        found = self.open_handoff(conversation_id)
        if found is None:
            return None
        now = self.clock()
        state = CANCELLED if found.status == WAITING else CLOSED
        ended = self._update(
            sa.and_(H.id == found.id, H.status == found.status),
            status=state,
            closed_at=now,
            closed_by="user",
            updated_at=now,
        )
        if ended != 1:  # changed meanwhile (taken or closed): try once more on the new state
            return self.leave(conversation_id) if self.open_handoff(conversation_id) else None
        return self.get(found.id)

    def mark(self, handoff_id: int, column: str) -> bool:
        """Set `announced_at` or `offered_at` once; True for the caller that set it."""
        if column not in ("announced_at", "offered_at"):
            raise ValueError(column)
        now = self.clock()
        return (
            self._update(
                sa.and_(H.id == handoff_id, live_handoff.c[column].is_(None)),
                **{column: now, "updated_at": now},
            )
            == 1
        )

    def unannounced(self) -> List[Handoff]:
        """Waiting handovers no Rasa server has announced yet (webhook, widget)."""
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(live_handoff)
                .where(H.status == WAITING, H.announced_at.is_(None))
                .order_by(H.id)
            ).all()
        return [_handoff(r) for r in rows]

    def overdue(self, wait_seconds: float) -> List[Handoff]:
        """Waiting handovers no employee took in `wait_seconds`, not yet offered an alternative."""
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(live_handoff)
                .where(
                    H.status == WAITING,
                    H.offered_at.is_(None),
                    H.created_at <= self.clock() - wait_seconds,
                )
                .order_by(H.id)
            ).all()
        return [_handoff(r) for r in rows]

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
        with self.db.write() as conn:
            result = conn.execute(
                sa.insert(live_message).values(
                    handoff_id=handoff_id,
                    sender=sender,
                    agent=agent,
                    text=text,
                    created_at=now,
                    delivered=delivered,
                )
            )
            new_id = result.inserted_primary_key[0]
            conn.execute(sa.update(live_handoff).where(H.id == handoff_id).values(updated_at=now))
        return Message(int(new_id), handoff_id, sender, agent, text, now)

    def messages(self, handoff_id: int, after: int = 0) -> List[Message]:
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(live_message)
                .where(M.handoff_id == handoff_id, M.id > after)
                .order_by(M.id)
            ).all()
        return [_message(r) for r in rows]

    def mark_pending(self, message_id: int) -> None:
        """The user's channel cannot push: deliver with the reply to their next message."""
        with self.db.write() as conn:
            conn.execute(sa.update(live_message).where(M.id == message_id).values(delivered=False))

    def undelivered(self, conversation_id: str) -> List[Message]:
        """Messages for a user on a channel that cannot push (REST); marks them delivered."""
        pending = (
            sa.select(live_message)
            .join(live_handoff, H.id == M.handoff_id)
            .where(H.conversation_id == conversation_id, M.delivered.is_(False))
            .order_by(M.id)
        )
        with self.db.read() as conn:  # the common case, nothing pending: no write lock
            if conn.execute(pending.limit(1)).first() is None:
                return []
        with self.db.write() as conn:
            rows = conn.execute(pending.with_for_update(of=live_message, skip_locked=True)).all()
            ids = [r.id for r in rows]
            if ids:
                # Only the rows this caller turned to delivered are its to send (two replicas).
                conn.execute(
                    sa.update(live_message)
                    .where(M.id.in_(ids), M.delivered.is_(False))
                    .values(delivered=True)
                )
        return [_message(r) for r in rows]

    # ------------------------------------------------------------------ duty
    def seen(self, agent: str) -> None:
        """An employee is on duty now (the console or the live-chat API calls this)."""
        now = self.clock()
        insert = self.db.insert(live_duty).values(agent=agent, seen_at=now)
        with self.db.write() as conn:
            conn.execute(
                insert.on_conflict_do_update(index_elements=["agent"], set_={"seen_at": now})
            )

    def off_duty(self, agent: str) -> None:
        with self.db.write() as conn:
            conn.execute(sa.delete(live_duty).where(D.agent == agent))

    def agents_on_duty(self) -> bool:
        """True when an employee was seen in the last DUTY_SECONDS."""
        with self.db.read() as conn:
            count = conn.execute(
                sa.select(sa.func.count())
                .select_from(live_duty)
                .where(D.seen_at >= self.clock() - DUTY_SECONDS)
            ).scalar_one()
        return int(count) > 0

    # ------------------------------------------------------------------ retention
    def purge(self, before: datetime) -> int:
        """Delete handovers (with their messages) last changed before `before`; return count."""
        cutoff = before.timestamp()
        old = sa.select(H.id).where(H.updated_at < cutoff)
        with self.db.write() as conn:
            ids = [r[0] for r in conn.execute(old)]
            for start in range(0, len(ids), 500):
                batch = ids[start : start + 500]
                conn.execute(sa.delete(live_message).where(M.handoff_id.in_(batch)))
                conn.execute(sa.delete(live_handoff).where(H.id.in_(batch)))
            conn.execute(sa.delete(live_duty).where(D.seen_at < cutoff))
        return len(ids)


def purge(before: datetime, settings: Any = None) -> int:
    """Delete live-desk records last changed before `before`; return how many handovers."""
    return LiveDesk(settings).purge(before)
