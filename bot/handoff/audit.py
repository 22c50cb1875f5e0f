"""The helpdesk's audit log: who viewed, took, answered or closed which conversation or contact
request, and when. Never the text of a message, a name or contact details: only the employee,
the action and the id of what it was done to. Pure Python: no Rasa imports.

Rows live in the conversation database (bot/handoff/db.py) and are deleted with the other
handoff records after HANDOFF_RETENTION_DAYS (`python -m bot purge`).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional

import sqlalchemy as sa

from bot.handoff.db import HandoffDB, audit_log

logger = logging.getLogger(__name__)

A = audit_log.c
ACTIONS = ("view", "list", "take", "answer", "close", "login", "logout")
SUBJECTS = ("handoff", "contact_request", "console")


class AuditLog:
    """Append-only records of employees' actions on citizens' data."""

    def __init__(self, db: HandoffDB, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    def record(self, actor: str, action: str, subject_type: str, subject_id: str) -> None:
        """Add one entry. Unknown actions or subjects are a programming error."""
        if action not in ACTIONS or subject_type not in SUBJECTS:
            raise ValueError(f"unknown audit entry {action}/{subject_type}")
        with self.db.write() as conn:
            conn.execute(
                sa.insert(audit_log).values(
                    at=self.clock(),
                    actor=str(actor)[:100],
                    action=action,
                    subject_type=subject_type,
                    subject_id=str(subject_id)[:255],
                )
            )

    def record_many(self, actor: str, action: str, subject_type: str, ids: List[str]) -> None:
        if not ids:
            return
        if action not in ACTIONS or subject_type not in SUBJECTS:
            raise ValueError(f"unknown audit entry {action}/{subject_type}")
        now = self.clock()
        with self.db.write() as conn:
            conn.execute(
                sa.insert(audit_log),
                [
                    {
                        "at": now,
                        "actor": str(actor)[:100],
                        "action": action,
                        "subject_type": subject_type,
                        "subject_id": str(i)[:255],
                    }
                    for i in ids
                ],
            )

    def entries(
        self, limit: int = 100, actor: Optional[str] = None, subject_id: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """The newest entries first."""
        query = sa.select(audit_log).order_by(A.id.desc()).limit(limit)
        if actor is not None:
            query = query.where(A.actor == actor)
        if subject_id is not None:
            query = query.where(A.subject_id == subject_id)
        with self.db.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def purge(self, before: datetime) -> int:
        with self.db.write() as conn:
            return conn.execute(sa.delete(audit_log).where(A.at < before.timestamp())).rowcount
