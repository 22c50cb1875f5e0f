"""Flood protection: at most N events per key (a conversation, a client address) per minute.

Each key has a window of 60 seconds from its first event; within it at most `per_minute`
events are allowed. The counts live in `bot.counters`: in this process by default (bounded:
at most `max_keys` keys, the least recently used forgotten first, and a forgotten key starts
again at zero), or in Redis with LOCK_STORE=redis, so that replicas share them. When Redis does
not answer, a message is let through (fail open: a limit is a nuisance filter, the assistant
must keep answering) and that is logged at most once a minute. No Rasa imports.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from bot.counters import Counters, CountersUnavailable, MemoryCounters

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0


@dataclass
class RateLimiter:
    """At most `per_minute` events per key per minute (0 or less: no limit)."""

    per_minute: int
    max_keys: int = 100_000
    clock: Callable[[], float] = time.monotonic
    counters: Optional[Counters] = None
    prefix: str = "rate"
    _last_warning: float = field(default=float("-inf"), repr=False)

    def __post_init__(self) -> None:
        if self.counters is None:
            self.counters = MemoryCounters(self.max_keys, self.clock)

    def allow(self, key: str) -> bool:
        """Count one event for `key`; False when it is over the limit."""
        if self.per_minute <= 0:
            return True
        assert self.counters is not None
        try:
            return self.counters.hit(f"{self.prefix}:{key}", WINDOW_SECONDS) <= self.per_minute
        except CountersUnavailable as error:
            now = time.monotonic()
            if now - self._last_warning > WINDOW_SECONDS:
                self._last_warning = now
                logger.warning("Rate limit %s not checked (fail open): %s", self.prefix, error)
            return True

    def __len__(self) -> int:
        return len(self.counters) if isinstance(self.counters, MemoryCounters) else 0


@dataclass
class FloodGuard:
    """The two limits of the public channels: per conversation and per client address.

    Addresses in `exempt` (by default the loopback addresses, i.e. a reverse proxy on the
    same host whose forwarded address is not trusted) have no address limit.
    """

    conversation: RateLimiter
    address: RateLimiter
    exempt: frozenset = frozenset()

    @classmethod
    def create(
        cls,
        per_conversation: int,
        per_address: int,
        exempt: Iterable[str] = (),
        counters: Optional[Counters] = None,
    ) -> FloodGuard:
        return cls(
            RateLimiter(per_conversation, counters=counters, prefix="rate:conversation"),
            RateLimiter(per_address, counters=counters, prefix="rate:address"),
            frozenset(a.strip() for a in exempt if a.strip()),
        )

    def allow(self, conversation_id: str, address: Optional[str]) -> bool:
        """Count one message; False when the conversation or the address is over its limit."""
        if address and address not in self.exempt and not self.address.allow(address):
            return False
        return self.conversation.allow(conversation_id)
