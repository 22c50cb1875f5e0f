"""Shared counters (bot/counters.py) for the flood limits, the login throttle and API nonces:
bounded in one process, shared through real Redis by several processes, with a TTL on every key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.counters import CountersUnavailable, MemoryCounters, RedisCounters, shared_counters
from bot.handoff import signing
from bot.handoff.console import PAIR_LIMIT, LoginThrottle
from bot.limits import FloodGuard, RateLimiter
from bot.settings import Settings
from tests import services


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_memory_counters_count_per_window_and_forget_the_oldest_key():
    clock = Clock()
    counters = MemoryCounters(max_keys=3, clock=clock)
    assert [counters.hit("a", 60) for _ in range(3)] == [1, 2, 3]
    clock.now += 61
    assert counters.hit("a", 60) == 1  # a new window
    for key in "bcd":
        counters.hit(key, 60)
    assert len(counters) == 3 and counters.count("a") == 0  # "a" was the least recently used
    assert counters.claim("n", 10) and not counters.claim("n", 10)
    clock.now += 11
    assert counters.claim("n", 10)


def test_the_flood_limit_keeps_its_api_and_bounded_memory():
    limiter = RateLimiter(per_minute=3, max_keys=100)
    assert [limiter.allow("k") for _ in range(4)] == [True, True, True, False]
    for i in range(1000):
        limiter.allow(f"key-{i}")
    assert len(limiter) <= 100
    guard = FloodGuard.create(2, 100, ["127.0.0.1"])
    assert [guard.allow("c", "127.0.0.1") for _ in range(3)] == [True, True, False]


def test_settings_choose_memory_or_redis():
    assert isinstance(shared_counters(Settings.from_env({})), MemoryCounters)
    redis_settings = Settings.from_env({"LOCK_STORE": "redis", "REDIS_PORT": "1"})
    assert isinstance(shared_counters(redis_settings), RedisCounters)


# ---------------------------------------------------------------- real Redis
@pytest.fixture
def redis_prefix():
    services.require(services.REDIS)
    prefix = services.unique("counters")
    yield prefix
    import redis

    client = redis.Redis(host=services.REDIS[1], port=services.REDIS[2])
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def two_processes(prefix):
    """Two independent clients, as two Rasa replicas would have."""
    return [
        RedisCounters.connect(services.REDIS[1], services.REDIS[2], 0, "", prefix) for _ in range(2)
    ]


def test_two_replicas_share_one_flood_limit(redis_prefix):
    one, two = two_processes(redis_prefix)
    a = RateLimiter(per_minute=10, counters=one, prefix="rate:conversation")
    b = RateLimiter(per_minute=10, counters=two, prefix="rate:conversation")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: (a if i % 2 else b).allow("rest:x"), range(30)))
    assert results.count(True) == 10  # atomic: exactly the limit, across both


def test_every_redis_key_has_the_prefix_and_a_ttl(redis_prefix):
    one, _ = two_processes(redis_prefix)
    one.hit("rate:address:1.2.3.4", 60)
    one.claim("nonce:abc", 600)
    LoginThrottle(one).attempt("anna", "10.0.0.1")
    keys = list(one.client.scan_iter("*"))
    mine = [k.decode() for k in keys if k.decode().startswith(redis_prefix)]
    assert len(mine) >= 4
    for key in mine:
        assert key.startswith(f"{redis_prefix}:counters:")
        assert 0 < one.client.pttl(key) <= 15 * 60 * 1000
        assert "anna" not in key and "10.0.0.1" not in key  # hashed: no personal data in keys


def test_two_replicas_share_the_login_throttle(redis_prefix):
    one, two = two_processes(redis_prefix)
    throttles = [LoginThrottle(one), LoginThrottle(two)]
    allowed = [throttles[i % 2].attempt("anna", "10.0.0.9") for i in range(PAIR_LIMIT + 4)]
    assert allowed.count(True) == PAIR_LIMIT


def test_a_replayed_api_request_is_refused_by_the_other_replica(redis_prefix):
    one, two = two_processes(redis_prefix)
    headers = signing.sign("k", b"{}", method="POST", path="/x")
    assert signing.ReplayGuard(counters=one).first_use(headers)
    assert not signing.ReplayGuard(counters=two).first_use(headers)


def test_redis_down_fails_open_for_flood_limits_and_closed_for_logins_and_nonces(caplog):
    down = RedisCounters.connect("127.0.0.1", 1, prefix="down")  # nothing listens on port 1
    with pytest.raises(CountersUnavailable):
        down.hit("k", 60)
    limiter = RateLimiter(per_minute=1, counters=down)
    assert limiter.allow("k") and limiter.allow("k")  # the assistant keeps answering
    assert not LoginThrottle(down).attempt("anna", "10.0.0.1")
    assert not signing.ReplayGuard(counters=down).first_use(signing.sign("k", b"{}"))
    assert "fail open" in caplog.text and "fail closed" in caplog.text
