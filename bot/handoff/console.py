"""Accounts and login sessions of the agent console. Pure Python: no Rasa imports.

Accounts come from configuration, never from the repository: `CONSOLE_ACCOUNTS` is either the
path of a file with one `name:hash` per line, or such entries inline, separated by `;` or new
lines. The hash is an Argon2id hash from argon2-cffi (`python -m bot console-account NAME`
makes one). Sessions are random tokens in a cookie; only their SHA-256 is stored (SQLite under
DATA_DIR), and they expire after CONSOLE_SESSION_MINUTES. Five wrong passwords for one name
lock that name for a minute.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

logger = logging.getLogger(__name__)

DB_NAME = "handoff-console.sqlite3"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_FAILURES = 5
LOCK_SECONDS = 60.0

_hasher = PasswordHasher()


class AccountError(ValueError):
    """CONSOLE_ACCOUNTS cannot be read."""


def hash_password(password: str) -> str:
    """An Argon2id hash for CONSOLE_ACCOUNTS."""
    return _hasher.hash(password)


def parse_accounts(value: str) -> Dict[str, str]:
    """{name: argon2 hash} from CONSOLE_ACCOUNTS (a file path or inline entries)."""
    value = value.strip()
    if not value:
        return {}
    text = value
    if "$argon2" not in value:
        path = Path(value)
        if not path.is_file():
            raise AccountError(f"CONSOLE_ACCOUNTS: no file {value}, and no name:hash entries")
        text = path.read_text(encoding="utf-8")
    accounts: Dict[str, str] = {}
    for entry in re.split(r"[;\n]", text):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        name, sep, hashed = entry.partition(":")
        name, hashed = name.strip(), hashed.strip()
        if not sep or not NAME_PATTERN.match(name) or not hashed.startswith("$argon2"):
            raise AccountError(
                "CONSOLE_ACCOUNTS: each entry is name:argon2-hash "
                "(make one with `python -m bot console-account NAME`)"
            )
        accounts[name] = hashed
    return accounts


class Accounts:
    """Checks passwords against the configured hashes, with a lock after repeated failures."""

    def __init__(self, accounts: Dict[str, str], clock=time.monotonic) -> None:
        self.accounts = accounts
        self.clock = clock
        self._failures: Dict[str, tuple] = {}
        self._lock = threading.Lock()
        # Unknown names are checked against a dummy hash too: same time as a wrong password.
        self._dummy = hash_password(secrets.token_urlsafe(16))

    def locked(self, name: str) -> bool:
        with self._lock:
            count, since = self._failures.get(name, (0, 0.0))
            return count >= MAX_FAILURES and self.clock() - since < LOCK_SECONDS

    def check(self, name: str, password: str) -> bool:
        """True for a correct name and password (False too while the name is locked)."""
        if not isinstance(name, str) or not isinstance(password, str) or self.locked(name):
            return False
        hashed = self.accounts.get(name, self._dummy)
        try:
            ok = _hasher.verify(hashed, password) and name in self.accounts
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        with self._lock:
            if ok:
                self._failures.pop(name, None)
            else:
                count, _ = self._failures.get(name, (0, 0.0))
                self._failures[name] = (count + 1, self.clock())
        logger.debug("Console login %s", "succeeded" if ok else "failed")
        return ok


class Sessions:
    """Login sessions: token -> employee name, until they expire."""

    def __init__(self, path: Path, lifetime_minutes: int, clock=time.time) -> None:
        self.path = Path(path)
        self.lifetime = lifetime_minutes * 60.0
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS console_session (token_hash TEXT PRIMARY KEY,"
                " agent TEXT NOT NULL, expires_at REAL NOT NULL)"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
        finally:
            db.close()

    @staticmethod
    def _digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def create(self, agent: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._connect() as db:
            db.execute("DELETE FROM console_session WHERE expires_at < ?", (self.clock(),))
            db.execute(
                "INSERT INTO console_session VALUES (?, ?, ?)",
                (self._digest(token), agent, self.clock() + self.lifetime),
            )
        return token

    def agent(self, token: Optional[str]) -> Optional[str]:
        """The employee of a valid, unexpired session token."""
        if not token or len(token) > 200:
            return None
        with self._connect() as db:
            row = db.execute(
                "SELECT agent, expires_at FROM console_session WHERE token_hash = ?",
                (self._digest(token),),
            ).fetchone()
        if row is None or row[1] < self.clock():
            return None
        return row[0]

    def end(self, token: Optional[str]) -> None:
        if token:
            with self._connect() as db:
                db.execute(
                    "DELETE FROM console_session WHERE token_hash = ?", (self._digest(token),)
                )
