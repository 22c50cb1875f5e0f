"""The write-through tracker cache (bot/tracker_cache.py) on a real SQLite file.

Whatever the cache does, the database must hold what Rasa's own SQLTrackerStore would have
written, and a read through the cache must give what a read from the database gives."""

import asyncio
import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import endpoints
from bot.settings import Settings
from bot.tracker_cache import CachedSQLTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, more]
slots:
  topic:
    type: text
    mappings: [{type: custom}]
responses:
  utter_hi: [{text: hoi}]
"""
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "rasa.db"


def stores(db, clock=None, **kwargs):
    cached = CachedSQLTrackerStore(
        DOMAIN, dialect="sqlite", db=str(db), clock=clock or Clock(), **kwargs
    )
    plain = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    return cached, plain


def turn(tracker: DialogueStateTracker, n: int, stamp: float) -> None:
    tracker.update(UserUttered(f"bericht {n}", {"name": "greet"}, timestamp=stamp))
    tracker.update(SlotSet("topic", f"t{n}", timestamp=stamp + 0.1))
    tracker.update(ActionExecuted("utter_hi", timestamp=stamp + 0.2))
    tracker.update(BotUttered("hoi", timestamp=stamp + 0.3))
    tracker.update(ActionExecuted("action_listen", timestamp=stamp + 0.4))


def dumped(tracker):
    return [e.as_dict() for e in tracker.events]


def test_turns_are_written_and_read_back_as_rasa_would(db):
    cached, plain = stores(db)
    tracker = DialogueStateTracker("rest:a", DOMAIN.slots)
    turn(tracker, 0, 10.0)
    run(cached.save(tracker))  # not cached yet: Rasa's own save
    for n in range(1, 6):
        tracker = run(cached.retrieve("rest:a"))
        assert dumped(tracker) == dumped(run(plain.retrieve("rest:a")))
        turn(tracker, n, 10.0 + n)
        run(cached.save(tracker))
    from_db = run(plain.retrieve("rest:a"))
    assert len(from_db.events) == 30
    assert dumped(run(cached.retrieve("rest:a"))) == dumped(from_db)
    assert from_db.get_slot("topic") == "t5"


def test_a_new_session_is_cached_from_its_start(db):
    cached, plain = stores(db)
    tracker = DialogueStateTracker("rest:b", DOMAIN.slots)
    turn(tracker, 0, 10.0)
    run(cached.save(tracker))
    tracker = run(cached.retrieve("rest:b"))
    tracker.update(ActionExecuted("action_session_start", timestamp=20.0))
    tracker.update(SessionStarted(timestamp=20.1))
    tracker.update(SlotSet("topic", "t0", timestamp=20.2))
    tracker.update(ActionExecuted("action_listen", timestamp=20.3))
    turn(tracker, 1, 21.0)
    run(cached.save(tracker))
    assert dumped(run(cached.retrieve("rest:b"))) == dumped(run(plain.retrieve("rest:b")))
    assert run(plain.retrieve("rest:b")).events[0].type_name == "session_started"
    # and the next turn continues the new session only
    tracker = run(cached.retrieve("rest:b"))
    turn(tracker, 2, 22.0)
    run(cached.save(tracker))
    assert dumped(run(cached.retrieve("rest:b"))) == dumped(run(plain.retrieve("rest:b")))
    rows = sqlite3.connect(db).execute("select count(*) from events").fetchone()[0]
    assert rows == 5 + 4 + 5 + 5  # nothing written twice


def test_no_query_while_cached(db):
    cached, _ = stores(db)
    tracker = DialogueStateTracker("rest:c", DOMAIN.slots)
    turn(tracker, 0, 10.0)
    run(cached.save(tracker))
    run(cached.retrieve("rest:c"))  # read once from the database
    statements = []
    from sqlalchemy import event

    event.listen(cached.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    tracker = run(cached.retrieve("rest:c"))
    turn(tracker, 1, 11.0)
    run(cached.save(tracker))
    assert statements and all(s.lstrip().upper().startswith("INSERT") for s in statements)


def test_an_entry_expires_so_a_purge_is_not_undone(db):
    clock = Clock()
    cached, _ = stores(db, clock, cache_ttl_seconds=60)
    tracker = DialogueStateTracker("rest:d", DOMAIN.slots)
    turn(tracker, 0, 10.0)
    run(cached.save(tracker))
    assert run(cached.retrieve("rest:d")) is not None
    sqlite3.connect(db, isolation_level=None).execute("delete from events")  # bot.retention
    clock.now += 61
    assert run(cached.retrieve("rest:d")) is None


def test_a_tracker_that_did_not_come_from_the_cache_is_saved_by_rasa(db):
    cached, plain = stores(db)
    tracker = DialogueStateTracker("rest:e", DOMAIN.slots)
    turn(tracker, 0, 10.0)
    run(cached.save(tracker))
    run(cached.retrieve("rest:e"))
    other = run(plain.retrieve("rest:e"))  # e.g. another writer, stale copy
    other.update(UserUttered("anders", {"name": "more"}, timestamp=50.0))
    stale = DialogueStateTracker.from_events("rest:e", [UserUttered("x", timestamp=1.0)])
    run(cached.save(stale))  # does not continue the cached session: Rasa's save, no crash
    assert len(cached) == 0


def test_size_is_bounded_least_recently_used_first(db):
    cached, _ = stores(db, cache_size=2)
    for sender in ("rest:1", "rest:2", "rest:3"):
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        turn(tracker, 0, 10.0)
        run(cached.save(tracker))
        run(cached.retrieve(sender))
    assert len(cached) == 2
    assert "rest:1" not in cached._cache


def test_sqlite_uses_write_ahead_logging(db):
    cached, _ = stores(db)
    tracker = DialogueStateTracker("rest:f", DOMAIN.slots)
    turn(tracker, 0, 10.0)
    run(cached.save(tracker))
    assert sqlite3.connect(db).execute("pragma journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    "env, size",
    [
        ({}, 1000),
        ({"SANIC_WORKERS": "2"}, 0),
        ({"TRACKER_STORE": "postgresql"}, 0),
        ({"TRACKER_STORE": "postgresql", "TRACKER_CACHE": "50"}, 50),
        ({"TRACKER_CACHE": "0"}, 0),
    ],
)
def test_endpoints_use_the_cache_only_for_a_single_writer(env, size):
    settings = Settings.from_env(env)
    config = endpoints.tracker_store(settings)
    assert endpoints.tracker_cache_size(settings) == size
    if size:
        assert config["type"] == endpoints.CACHED_STORE and config["cache_size"] == size
    else:
        assert config["type"] == "SQL"


def test_a_new_conversation_is_written_without_counting(db):
    cached, plain = stores(db)
    assert run(cached.retrieve("rest:new")) is None  # Rasa asks first, then creates it
    statements = []
    from sqlalchemy import event

    event.listen(cached.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    tracker = DialogueStateTracker("rest:new", DOMAIN.slots)
    turn(tracker, 0, 10.0)
    run(cached.save(tracker))
    assert statements and all(s.lstrip().upper().startswith("INSERT") for s in statements)
    assert dumped(run(plain.retrieve("rest:new"))) == dumped(tracker)
    assert run(cached.retrieve("rest:new")) is not None
