"""Shared counters for limits and one-time nonces: in this process, or in Redis for replicas.

Three users: the flood limits (bot/limits.py), the console's login throttle
(bot/handoff/console.py) and the live-chat API's replay guard (bot/handoff/signing.py).

- `hit(key, window)` adds one to `key` and returns the count in its window. A window starts at
  a key's first hit and lasts `window` seconds; then the key is gone and counting starts again.
- `claim(key, ttl)` is True the first time a key is claimed within `ttl` seconds (a nonce).

`MemoryCounters` (the default) keeps at most `max_keys` keys, the least recently used are
forgotten first, so memory is bounded whatever the keys are. `RedisCounters` (LOCK_STORE=redis)
shares the counts between processes and replicas: `hit` is one Lua script (INCR, and PEXPIRE
when the key has no expiry yet), `claim` is `SET key 1 NX PX ttl`; every key has the prefix
`<REDIS_KEY_PREFIX>:counters:` and a TTL, so Redis memory is bounded too.

When Redis can't be reached (0.5 s socket timeouts) a call raises `CountersUnavailable`; each
caller decides: rate limits let the message through (fail open, logged), the login throttle and
the replay guard refuse (fail closed, logged). No Rasa imports.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Optional, Protocol, Tuple

DEFAULT_MAX_KEYS = 100_000
REDIS_TIMEOUT_SECONDS = 0.5

# KEYS[1]: the counter; ARGV[1]: the window in milliseconds. Atomic on the Redis server.
_HIT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
"""


class CountersUnavailable(RuntimeError):
    """The shared counter store (Redis) did not answer."""


class Counters(Protocol):
    """What the limits, the login throttle and the replay guard need."""

    def hit(self, key: str, window: float) -> int: ...

    def count(self, key: str) -> int: ...

    def clear(self, key: str) -> None: ...

    def claim(self, key: str, ttl: float) -> bool: ...


class MemoryCounters:
    """Counters of this process: at most `max_keys` keys, least recently used forgotten first."""

    def __init__(
        self, max_keys: int = DEFAULT_MAX_KEYS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_keys = max_keys
        self.clock = clock
        self._keys: OrderedDict[str, Tuple[int, float]] = OrderedDict()  # key: (count, expires)
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> Optional[Tuple[int, float]]:
        entry = self._keys.get(key)
        if entry is not None and entry[1] <= now:
            del self._keys[key]
            return None
        return entry

    def _store(self, key: str, entry: Tuple[int, float]) -> None:
        self._keys[key] = entry
        self._keys.move_to_end(key)
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)

    def hit(self, key: str, window: float) -> int:
        with self._lock:
            now = self.clock()
            entry = self._live(key, now)
            count, expires = entry if entry else (0, now + window)
            self._store(key, (count + 1, expires))
            return count + 1

    def count(self, key: str) -> int:
        with self._lock:
            entry = self._live(key, self.clock())
            return entry[0] if entry else 0

    def clear(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def claim(self, key: str, ttl: float) -> bool:
        with self._lock:
            now = self.clock()
            if self._live(key, now) is not None:
                self._keys.move_to_end(key)
                return False
            self._store(key, (1, now + ttl))
            return True

    def __len__(self) -> int:
        return len(self._keys)


class RedisCounters:
    """Counters in Redis, shared by every process using the same prefix."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = f"{prefix}:counters:"
        self._hit = client.register_script(_HIT_SCRIPT)

    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        db: int = 0,
        password: str = "",
        prefix: str = "impact",
        timeout: float = REDIS_TIMEOUT_SECONDS,
    ) -> RedisCounters:
        import redis

        client = redis.Redis(
            host=host,
            port=port,
            db=db,
            password=password or None,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
        )
        return cls(client, prefix)

    def _call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return function(*args, **kwargs)
        except (redis.RedisError, OSError) as error:
            raise CountersUnavailable(f"Redis: {type(error).__name__}") from error

    @staticmethod
    def _ms(seconds: float) -> int:
        return max(1, int(seconds * 1000))

    def hit(self, key: str, window: float) -> int:
        return int(self._call(self._hit, keys=[self.prefix + key], args=[self._ms(window)]))

    def count(self, key: str) -> int:
        value = self._call(self.client.get, self.prefix + key)
        return int(value) if value is not None else 0

    def clear(self, key: str) -> None:
        self._call(self.client.delete, self.prefix + key)

    def claim(self, key: str, ttl: float) -> bool:
        return bool(self._call(self.client.set, self.prefix + key, 1, nx=True, px=self._ms(ttl)))


_shared: Dict[Tuple[Any, ...], Counters] = {}
_shared_lock = threading.Lock()


def shared_counters(settings: Any) -> Counters:
    """The process's counters for these settings: Redis when LOCK_STORE=redis, else memory.

    One instance per configuration, so every limiter of the process shares one connection pool
    (Redis) or one bounded table (memory)."""
    if getattr(settings, "lock_store", "memory") == "redis":
        key: Tuple[Any, ...] = (
            "redis",
            settings.redis_host,
            settings.redis_port,
            settings.redis_db,
            settings.redis_key_prefix,
        )
    else:
        key = ("memory",)
    with _shared_lock:
        if key not in _shared:
            if key[0] == "redis":
                _shared[key] = RedisCounters.connect(
                    settings.redis_host,
                    settings.redis_port,
                    settings.redis_db,
                    settings.redis_password,
                    settings.redis_key_prefix,
                )
            else:
                _shared[key] = MemoryCounters()
        return _shared[key]
