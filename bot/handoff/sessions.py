"""Login sessions of the agent console, in the conversation database. Pure Python: no Rasa.

A session is a random token in a cookie; only its SHA-256 is stored, with the employee, a
fingerprint of their account (a hash of the Argon2 hash, so a password change or a removed
account ends every session of that employee), when it was made, when it was last used and when
it expires. A session ends after CONSOLE_SESSION_MINUTES, or after CONSOLE_IDLE_MINUTES without
a request. Every replica of the Rasa server reads the same table, so a login on one replica is
valid on all of them.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Union

import sqlalchemy as sa

from bot.handoff.db import HandoffDB, console_session, open_db

S = console_session.c
MAX_TOKEN_CHARS = 200
# last_seen is written at most this often per session (not on every poll of the console).
TOUCH_SECONDS = 30.0


def fingerprint(password_hash: str) -> str:
    """A short digest of an account's password hash (changes when the password changes)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionInfo:
    agent: str
    fingerprint: str


class Sessions:
    """Console sessions: token -> employee, until they expire or stay idle too long."""

    def __init__(
        self,
        db: Union[HandoffDB, Path],
        lifetime_minutes: int,
        idle_minutes: int = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db if isinstance(db, HandoffDB) else open_db(Path(db))
        self.lifetime = lifetime_minutes * 60.0
        self.idle = idle_minutes * 60.0 if idle_minutes > 0 else float("inf")
        self.clock = clock

    def create(self, agent: str, fingerprint: str = "") -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.write() as conn:
            conn.execute(
                sa.delete(console_session).where(
                    sa.or_(S.expires_at < now, S.last_seen < now - self.idle)
                    if self.idle != float("inf")
                    else S.expires_at < now
                )
            )
            conn.execute(
                sa.insert(console_session).values(
                    token_hash=_digest(token),
                    agent=agent,
                    fingerprint=fingerprint,
                    created_at=now,
                    last_seen=now,
                    expires_at=now + self.lifetime,
                )
            )
        return token

    def lookup(self, token: Optional[str]) -> Optional[SessionInfo]:
        """The session of a valid token (refreshing its last use); None when unknown,
        expired or idle for longer than the idle timeout."""
        if not token or not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            return None
        digest = _digest(token)
        now = self.clock()
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(S.agent, S.fingerprint, S.last_seen, S.expires_at).where(
                    S.token_hash == digest
                )
            ).first()
        if row is None:
            return None
        if row.expires_at < now or now - row.last_seen > self.idle:
            self.end(token)
            return None
        if now - row.last_seen >= TOUCH_SECONDS:
            with self.db.write() as conn:
                conn.execute(
                    sa.update(console_session).where(S.token_hash == digest).values(last_seen=now)
                )
        return SessionInfo(row.agent, row.fingerprint)

    def agent(self, token: Optional[str]) -> Optional[str]:
        """The employee of a valid session token."""
        info = self.lookup(token)
        return info.agent if info else None

    def end(self, token: Optional[str]) -> None:
        if token and isinstance(token, str) and len(token) <= MAX_TOKEN_CHARS:
            with self.db.write() as conn:
                conn.execute(sa.delete(console_session).where(S.token_hash == _digest(token)))

    def end_agent(self, agent: str) -> int:
        """End every session of an employee (account removed, password changed)."""
        with self.db.write() as conn:
            return conn.execute(sa.delete(console_session).where(S.agent == agent)).rowcount

    def purge(self) -> int:
        """Delete expired and idle sessions; return how many."""
        now = self.clock()
        with self.db.write() as conn:
            where: Any = S.expires_at < now
            if self.idle != float("inf"):
                where = sa.or_(where, S.last_seen < now - self.idle)
            return conn.execute(sa.delete(console_session).where(where)).rowcount
