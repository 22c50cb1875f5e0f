"""Rasa's SQL tracker store with the running conversations kept in memory (a write-through cache).

Every turn Rasa reads the conversation from the database (one query, JSON decoding of every
event) and, to save, counts the stored events again before inserting the new ones. Profiled on
the 1-user benchmark that was about 40 % of the Rasa server's time per turn on SQLite.

`CachedSQLTrackerStore` keeps, per conversation, the stored events of its latest session as
dictionaries (what Rasa reads back from the database) and how many there are:

- `retrieve` rebuilds the tracker from those dictionaries, without a query;
- `save` inserts only the events after that count, in one transaction, without counting;
- every write still goes to the database before the turn ends: a restart loses nothing.

It is correct only while this process is the only writer of the conversations, which is the
case for `make run` (SQLite, one Rasa process). `bot.endpoints` uses it only then: not with
SANIC_WORKERS > 1 and not on PostgreSQL (several replicas may share that), unless TRACKER_CACHE
says so. An entry lives at most `ttl_seconds` after its last use (default: the session
expiry), so a purge by `bot.retention` is never undone by a stale copy, and at most `size`
conversations are kept (least recently used go first).

On SQLite it also turns on write-ahead logging with `synchronous=NORMAL` (one fsync per
checkpoint instead of per turn; a power cut can lose the last turns, a crash of the process
cannot; the file is never corrupted).
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# (serialised events of the latest stored session, monotonic time of the last use)
Entry = Tuple[List[Dict[str, Any]], float]


def latest_session(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The events from the last `session_started` on (all of them when there is none).

    Rasa's SQL store reads "events with a timestamp at or after the newest SessionStarted";
    events are stored in order, so this is the same list."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == SessionStarted.type_name:
            return events[index:]
    return events


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class CachedSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that remembers the latest session of recent conversations."""

    def __init__(
        self,
        *args: Any,
        cache_size: int = 1000,
        cache_ttl_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = int(cache_size)
        self.cache_ttl_seconds = float(cache_ttl_seconds)
        self._clock = clock
        self._cache: OrderedDict[Text, Entry] = OrderedDict()
        engine: Engine = self.engine  # type: ignore[has-type]
        if engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens and closes a SQLite file connection per use (NullPool): keep
            # one per thread instead (Rasa uses the store from its event loop thread only).
            engine.dispose()
            engine = sa.create_engine(engine.url, poolclass=sa.pool.SingletonThreadPool)
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            self.engine = engine
            self.sessionmaker = sa.orm.session.sessionmaker(bind=engine)

    # --- the cache --------------------------------------------------------------------------

    def _get(self, sender_id: Text) -> Optional[List[Dict[str, Any]]]:
        entry = self._cache.pop(sender_id, None)
        if entry is None:
            return None
        events, used = entry
        if self._clock() - used > self.cache_ttl_seconds:
            return None
        self._cache[sender_id] = (events, self._clock())
        return events

    def _put(self, sender_id: Text, events: List[Dict[str, Any]]) -> None:
        if self.cache_size <= 0:
            return
        self._cache.pop(sender_id, None)
        self._cache[sender_id] = (events, self._clock())
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def forget(self, sender_id: Optional[Text] = None) -> None:
        """Drop one conversation (or all) from memory; the database is not touched."""
        if sender_id is None:
            self._cache.clear()
        else:
            self._cache.pop(sender_id, None)

    def __len__(self) -> int:
        return len(self._cache)

    # --- Rasa's interface -------------------------------------------------------------------

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session, from memory when it is there, else from the database."""
        cached = self._get(sender_id)
        if cached is not None and self.domain:
            if not cached:
                return None
            return DialogueStateTracker.from_dict(sender_id, cached, self.domain.slots)
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            events = [json.loads(row.data) for row in rows.all()]
        self._put(sender_id, events)  # also "none stored yet": the first save needs no count
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events the database does not have yet (counted in memory when known)."""
        cached = self._get(tracker.sender_id)
        if cached is None or not _continues(tracker, cached):
            self.forget(tracker.sender_id)
            await super().save(tracker)  # Rasa's own: counts what is stored, adds the rest
            return
        await self.stream_events(tracker)
        stored = len(cached)
        new = [event.as_dict() for event in list(tracker.events)[stored:]]
        rows = [
            {
                "sender_id": tracker.sender_id,
                "type_name": data.get("event"),
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            }
            for data in new
        ]
        if rows:  # one INSERT of all new rows, committed before the turn ends
            with self.engine.begin() as connection:
                connection.execute(self.SQLEvent.__table__.insert(), rows)
        # What the database now returns for this conversation: JSON round trip, so the cache
        # holds exactly what a read from the database would (no shared mutable objects).
        self._put(tracker.sender_id, latest_session(cached + json.loads(json.dumps(new))))


def _continues(tracker: DialogueStateTracker, cached: List[Dict[str, Any]]) -> bool:
    """Whether `tracker` is the cached session plus new events (Rasa retrieved it from us)."""
    events = tracker.events
    if len(events) < len(cached):
        return False
    if not cached:
        return True
    first, last = events[0], events[len(cached) - 1]
    return (
        first.type_name == cached[0].get("event")
        and first.timestamp == cached[0].get("timestamp")
        and last.type_name == cached[-1].get("event")
        and last.timestamp == cached[-1].get("timestamp")
    )
