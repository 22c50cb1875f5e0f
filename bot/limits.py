"""Flood protection: token buckets per key (a conversation, a client address), in memory.

A bucket holds `per_minute` tokens and refills continuously at `per_minute` per minute;
each message takes one. Memory is bounded: at most `max_keys` buckets, the least recently
used is forgotten first (a forgotten key starts with a full bucket). No Rasa imports.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Tuple


@dataclass
class RateLimiter:
    """At most `per_minute` events per key per minute (0 or less: no limit)."""

    per_minute: int
    max_keys: int = 100_000
    clock: Callable[[], float] = time.monotonic
    _buckets: OrderedDict[str, Tuple[float, float]] = field(default_factory=OrderedDict)

    def allow(self, key: str) -> bool:
        """Take a token for `key`; False when its bucket is empty."""
        if self.per_minute <= 0:
            return True
        now = self.clock()
        tokens, last = self._buckets.pop(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * self.per_minute / 60.0)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return allowed

    def __len__(self) -> int:
        return len(self._buckets)


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
        cls, per_conversation: int, per_address: int, exempt: Iterable[str] = ()
    ) -> FloodGuard:
        return cls(
            RateLimiter(per_conversation),
            RateLimiter(per_address),
            frozenset(a.strip() for a in exempt if a.strip()),
        )

    def allow(self, conversation_id: str, address: Optional[str]) -> bool:
        """Count one message; False when the conversation or the address is over its limit."""
        if address and address not in self.exempt and not self.address.allow(address):
            return False
        return self.conversation.allow(conversation_id)
