"""Accounts and the login throttle of the agent console. Pure Python: no Rasa imports.

Accounts come from configuration, never from the repository: `CONSOLE_ACCOUNTS` is either the
path of a file with one `name:hash` per line, or such entries inline, separated by `;` or new
lines. The hash is an Argon2id hash from argon2-cffi (`python -m bot console-account NAME`
makes one). A file is read again when it changes, so removing an employee or changing a password
takes effect without a restart (and ends their sessions: bot/channels/handoff.py compares each
session's fingerprint with the current hash). Login sessions are in bot/handoff/sessions.py.

The login throttle (`LoginThrottle`) counts every attempt before the password is checked, in
the shared counters (bot/counters.py: one process, or Redis for every replica), so parallel
guesses can't all be checked; Argon2 runs on a pool of HASH_WORKERS threads, so guesses can't
take every core. Limits, each per LOGIN_WINDOW_SECONDS (15 minutes):

- PAIR_LIMIT (5) attempts per address and name: one source guessing one password;
- ADDRESS_LIMIT (30) attempts per address, whatever the names: one source trying many names;
- ACCOUNT_LIMIT (100) attempts per name from all addresses: many sources guessing one password
  (at most 9,600 guesses a day against an Argon2 hash of a 12+ character password).

An address from which a name logged in during the last KNOWN_DAYS (30) is "known" for that name:
only the per-pair limit applies to it. So a stranger who burns the address and account limits
for "anna" does not lock anna out at her desk; at worst she can't log in from a new address for
15 minutes. A successful login resets its pair. Names that don't match NAME_PATTERN are refused
before anything is counted per name (the per-address count still counts them).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.counters import Counters, CountersUnavailable, MemoryCounters

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LOGIN_WINDOW_SECONDS = 15 * 60.0
PAIR_LIMIT = 5
ADDRESS_LIMIT = 30
ACCOUNT_LIMIT = 100
KNOWN_DAYS = 30
HASH_WORKERS = 2
MAX_PENDING_CHECKS = 16  # password checks queued or running; more are refused at once
RELOAD_SECONDS = 2.0

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
    """The configured accounts; checks passwords (Argon2 on a small thread pool).

    `source` is the CONSOLE_ACCOUNTS value: when it names a file, the file is read again
    (at most every RELOAD_SECONDS) when its modification time or size changes."""

    def __init__(self, accounts: Dict[str, str], source: str = "") -> None:
        self._accounts = dict(accounts)
        self._source = source.strip() if "$argon2" not in source else ""
        self._stamp = self._file_stamp()
        self._checked_at = time.monotonic()
        self._lock = threading.Lock()
        # Unknown names are checked against a dummy hash too: same time as a wrong password.
        self._dummy = hash_password(secrets.token_urlsafe(16))
        self._pool = ThreadPoolExecutor(max_workers=HASH_WORKERS, thread_name_prefix="argon2")
        self._pending = 0

    @classmethod
    def from_setting(cls, value: str) -> Accounts:
        return cls(parse_accounts(value), value)

    def _file_stamp(self) -> Optional[tuple]:
        if not self._source:
            return None
        try:
            stat = os.stat(self._source)
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    @property
    def accounts(self) -> Dict[str, str]:
        """{name: hash}, re-read when the CONSOLE_ACCOUNTS file changed."""
        if self._source and time.monotonic() - self._checked_at >= RELOAD_SECONDS:
            with self._lock:
                self._checked_at = time.monotonic()
                stamp = self._file_stamp()
                if stamp != self._stamp:
                    try:
                        self._accounts = parse_accounts(self._source) if stamp else {}
                        logger.info("CONSOLE_ACCOUNTS re-read: %s accounts", len(self._accounts))
                    except AccountError as error:
                        self._accounts = {}
                        logger.error("%s: nobody can log in to the agent console", error)
                    self._stamp = stamp
        return self._accounts

    def password_hash(self, name: str) -> Optional[str]:
        return self.accounts.get(name)

    def check(self, name: str, password: str) -> bool:
        """True for a correct name and password (blocking: call `verify` from async code)."""
        if not isinstance(name, str) or not isinstance(password, str):
            return False
        hashed = self.accounts.get(name)
        try:
            ok = _hasher.verify(hashed or self._dummy, password) and hashed is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        logger.debug("Console login %s", "succeeded" if ok else "failed")
        return ok

    async def verify(self, name: str, password: str) -> Optional[bool]:
        """`check` on the hash pool; None when too many checks are waiting already."""
        if self._pending >= MAX_PENDING_CHECKS:
            return None
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, self.check, name, password)
        finally:
            self._pending -= 1


def _key(*parts: str) -> str:
    """A counter key; names and addresses are hashed (no personal data in Redis keys)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


class LoginThrottle:
    """Counts login attempts before the password is checked (see the module docstring)."""

    def __init__(self, counters: Optional[Counters] = None) -> None:
        self.counters: Counters = counters if counters is not None else MemoryCounters()

    def _known(self, name: str, address: str) -> bool:
        return self.counters.count("login:known:" + _key(name, address)) > 0

    def attempt(self, name: str, address: str) -> bool:
        """Count one attempt; False when a limit is reached (or the counters are down)."""
        window = LOGIN_WINDOW_SECONDS
        try:
            address_count = self.counters.hit("login:address:" + _key(address), window)
            if not NAME_PATTERN.match(name):
                return address_count <= ADDRESS_LIMIT
            pair_count = self.counters.hit("login:pair:" + _key(name, address), window)
            if pair_count > PAIR_LIMIT:
                return False
            if self._known(name, address):
                return True
            account_count = self.counters.hit("login:account:" + _key(name), window)
            return address_count <= ADDRESS_LIMIT and account_count <= ACCOUNT_LIMIT
        except CountersUnavailable as error:
            logger.error("Console login refused: the login throttle can't count (%s)", error)
            return False

    def succeeded(self, name: str, address: str) -> None:
        try:
            self.counters.clear("login:pair:" + _key(name, address))
            key = "login:known:" + _key(name, address)
            self.counters.clear(key)
            self.counters.claim(key, KNOWN_DAYS * 86400.0)
        except CountersUnavailable as error:
            logger.warning("Login throttle not updated after a login: %s", error)


# Login sessions moved to bot/handoff/sessions.py (the shared database); re-exported here.
from bot.handoff.sessions import Sessions  # noqa: E402,F401
