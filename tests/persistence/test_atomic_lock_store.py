"""The Redis ticket lock shared by Rasa replicas (bot/locks.py), against the real Redis.

Rasa's own RedisLockStore changes the lock by read-modify-write: replicas that lock one
conversation at the same moment lose tickets (measured here: 4 replicas x 150 turns on one
conversation stall on lost tickets). The atomic store serves every turn, one at a time.
"""

from __future__ import annotations

import asyncio
import threading

from rasa.core.lock_store import LockError

from bot.locks import AtomicRedisLockStore
from tests import services


def replica(prefix: str) -> AtomicRedisLockStore:
    _, host, port = services.REDIS
    return AtomicRedisLockStore(host=host, port=port, db=1, key_prefix=prefix)


def test_replicas_locking_one_conversation_take_turns_and_lose_no_ticket():
    services.require(services.REDIS)
    prefix = services.unique("lock").replace("-", "").replace("_", "")
    state = {"inside": 0, "overlaps": 0, "served": 0}
    errors = []
    guard = threading.Lock()

    def run_replica() -> None:
        store = replica(prefix)

        async def turns() -> None:
            for _ in range(100):
                try:
                    async with store.lock("socketio:gedeeld", wait_time_in_seconds=0.001):
                        with guard:
                            state["inside"] += 1
                            state["overlaps"] += state["inside"] > 1
                        await asyncio.sleep(0.0005)
                        with guard:
                            state["inside"] -= 1
                            state["served"] += 1
                except LockError as error:
                    errors.append(error)

        asyncio.run(turns())

    threads = [threading.Thread(target=run_replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a replica stalled on a lost ticket"
    assert errors == []
    assert state == {"inside": 0, "overlaps": 0, "served": 400}
    # Nobody waits any more: the lock is gone, as Rasa's cleanup intends.
    assert replica(prefix).get_lock("socketio:gedeeld") is None


def test_the_lock_format_is_rasas_own():
    """Replicas with Rasa's class and with this one read each other's lock."""
    services.require(services.REDIS)
    from rasa.core.lock_store import RedisLockStore

    prefix = services.unique("lock").replace("-", "").replace("_", "")
    _, host, port = services.REDIS
    stock = RedisLockStore(host=host, port=port, db=1, key_prefix=prefix)
    atomic = replica(prefix)
    first = atomic.issue_ticket("c")
    second = stock.issue_ticket("c")
    assert second == first + 1
    lock = atomic.get_lock("c")
    assert lock is not None and not lock.is_locked(first) and lock.is_locked(second)
    atomic.cleanup("c", first)
    assert stock.get_lock("c").now_serving == second
    atomic.cleanup("c", second)
    assert stock.get_lock("c") is None
