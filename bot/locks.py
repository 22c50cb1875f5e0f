"""Rasa's Redis ticket lock, made safe for more than one Rasa replica.

Rasa 3.6's `RedisLockStore` keeps a conversation's ticket lock as one JSON value and changes it
by read-modify-write (`issue_ticket`, `finish_serving`, `update_lock`, `cleanup`) without any
Redis transaction. Two replicas that touch one conversation at the same moment (a user's
message on replica A while an employee's message for that user goes out on replica B) can
lose each other's ticket: one side's `cleanup` deletes the lock while the other still waits,
which then fails with `LockError` ("Could not acquire lock"), a 500 for the caller.

`AtomicRedisLockStore` runs each of those changes as one optimistic Redis transaction
(WATCH/MULTI/EXEC, retried when another replica changed the key meanwhile). The value format and
the keys are Rasa's own, so replicas with either class share one lock. Used by
bot/endpoints.py whenever LOCK_STORE=redis.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket changes are Redis transactions."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        """Built by Rasa from endpoints.yml (`type: bot.locks.AtomicRedisLockStore`) or directly
        with `RedisLockStore`'s keyword arguments."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _key(self, conversation_id: Text) -> Text:
        return self.key_prefix + conversation_id

    def _change(
        self,
        conversation_id: Text,
        change: Callable[[TicketLock], None],
        delete_when_free: bool = False,
    ) -> None:
        """Read the lock, let `change` modify it and write it back in one transaction, retried
        when another replica changed the key meanwhile. No lock: nothing to change.
        `delete_when_free`: delete the lock instead when nobody waits for it any more."""
        key = self._key(conversation_id)

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            if not raw:
                return
            lock = TicketLock.from_dict(json.loads(raw))
            change(lock)
            pipe.multi()
            if delete_when_free and not lock.is_someone_waiting():
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())

        self.red.transaction(transaction, key)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue a ticket; creates the lock if there is none (atomically)."""
        key = self._key(conversation_id)
        issued: Dict[str, int] = {}

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
            issued["ticket"] = lock.issue_ticket(lock_lifetime)
            pipe.multi()
            pipe.set(key, lock.dumps())

        self.red.transaction(transaction, key)
        return issued["ticket"]

    def update_lock(self, conversation_id: Text) -> None:
        """Remove expired tickets (atomically)."""

        self._change(conversation_id, TicketLock.remove_expired_tickets)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove the ticket (atomically)."""

        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove the ticket, and the lock when nobody else waits: one transaction, so a ticket
        issued meanwhile on another replica is never deleted with it."""
        self._change(
            conversation_id,
            lambda lock: lock.remove_ticket_for(ticket_number),
            delete_when_free=True,
        )
