"""The helpdesk's state in the shared conversation database, on SQLite and on real PostgreSQL.

Two "replicas" are two processes with their own engine (and their own DATA_DIR in the scale-out
test): whatever one writes, the other sees, and a take, a close or a delivery happens once.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.handoff import legacy
from bot.handoff.audit import AuditLog
from bot.handoff.contact import ContactRequest
from bot.handoff.db import HandoffDB, open_db, reset_engines
from bot.handoff.live import ACTIVE, CANCELLED, CLOSED, LiveDesk
from bot.handoff.outbox import DELIVERED, DuplicateReference, Outbox
from bot.handoff.sessions import Sessions, fingerprint
from tests import services


def _request(reference: str) -> ContactRequest:
    return ContactRequest(
        reference=reference,
        name="Sanne de Vries",
        question="Kan iemand mij bellen over een aanbesteding?",
        email="sanne@example.org",
        phone=None,
        conversation_id="socketio:abc",
        channel="socketio",
        transcript=[],
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield str(sa.engine.URL.create("sqlite", database=str(tmp_path / "conversations.db")))
        return
    services.require(services.POSTGRES)
    with services.postgres_database() as name:
        yield f"postgresql://postgres@{services.POSTGRES[1]}:{services.POSTGRES[2]}/{name}"
        reset_engines()


def test_one_open_handover_per_conversation_and_states(url):
    desk = LiveDesk(db=HandoffDB(url))
    assert desk.enqueue("c1", "socketio", [{"from": "user", "text": "hoi"}]) == 1
    assert desk.enqueue("c1", "socketio", []) == 1  # queued again: same place
    assert desk.enqueue("c2", "rest", []) == 2
    first = desk.open_handoff("c1")
    assert first.transcript == [{"from": "user", "text": "hoi"}]
    assert desk.take(first.id, "anna") and not desk.take(first.id, "bram")
    assert desk.enqueue("c1", "socketio", []) == 0  # an employee has it
    assert desk.position("c2") == 1
    ended = desk.leave("c1")
    assert ended.status == CLOSED and desk.open_handoff("c1") is None
    assert desk.leave("c2").status == CANCELLED
    assert desk.leave("c2") is None
    assert desk.enqueue("c1", "socketio", []) == 1  # a new handover later


def test_messages_pending_delivery_is_handed_out_once(url):
    desk = LiveDesk(db=HandoffDB(url))
    desk.enqueue("rest:x", "rest", [])
    handoff = desk.open_handoff("rest:x")
    stored = desk.add_message(handoff.id, "agent", "Goedemiddag", agent="anna")
    desk.mark_pending(stored.id)
    other = LiveDesk(db=HandoffDB(url))  # another replica
    assert [m.text for m in other.undelivered("rest:x")] == ["Goedemiddag"]
    assert desk.undelivered("rest:x") == []
    assert [m.id for m in desk.messages(handoff.id)] == [stored.id]


def test_duty_seen_on_one_replica_counts_on_the_other(url):
    LiveDesk(db=HandoffDB(url)).seen("anna")
    assert LiveDesk(db=HandoffDB(url)).agents_on_duty()
    LiveDesk(db=HandoffDB(url)).off_duty("anna")
    assert not LiveDesk(db=HandoffDB(url)).agents_on_duty()


def test_sessions_shared_idle_and_account_fingerprint(url):
    now = [1000.0]
    a = Sessions(HandoffDB(url), lifetime_minutes=60, idle_minutes=10, clock=lambda: now[0])
    b = Sessions(HandoffDB(url), lifetime_minutes=60, idle_minutes=10, clock=lambda: now[0])
    token = a.create("anna", fingerprint("$argon2id$v=19$old"))
    info = b.lookup(token)
    assert info.agent == "anna" and info.fingerprint == fingerprint("$argon2id$v=19$old")
    assert info.fingerprint != fingerprint("$argon2id$v=19$new")
    now[0] += 9 * 60
    assert b.lookup(token) is not None  # used within the idle time: still valid
    now[0] += 11 * 60
    assert a.lookup(token) is None  # idle too long
    token = a.create("anna")
    assert a.end_agent("anna") == 1 and b.lookup(token) is None
    token = a.create("bram")
    now[0] += 61 * 60
    assert b.lookup(token) is None  # expired
    assert b.lookup("x" * 500) is None


def test_contact_request_reference_is_unique_and_audit_has_no_text(url):
    db = HandoffDB(url)
    box = Outbox(db)
    box.add(_request("HLM-AAAA"), ["smtp"])
    with pytest.raises(DuplicateReference):
        Outbox(HandoffDB(url)).add(_request("HLM-AAAA"), ["smtp"])
    assert box.count() == 1
    audit = AuditLog(db)
    audit.record("anna", "view", "contact_request", "HLM-AAAA")
    [entry] = audit.entries()
    assert (entry["actor"], entry["action"], entry["subject_id"]) == ("anna", "view", "HLM-AAAA")
    assert "Sanne" not in repr(entry) and "sanne@" not in repr(entry)
    with pytest.raises(ValueError):
        audit.record("anna", "delete", "contact_request", "HLM-AAAA")


def test_restart_makes_failed_deliveries_due_now(url):
    now = [1000.0]
    box = Outbox(HandoffDB(url), clock=lambda: now[0])
    box.add(_request("HLM-BBBB"), ["smtp"])
    [job] = box.claim(["smtp"], lease_seconds=60)
    box.retry_later(job.request.reference, "smtp", now[0] + 3600, "down")
    assert box.claim(["smtp"], 60) == []
    assert box.reschedule_pending(now[0]) == 1
    [again] = box.claim(["smtp"], 60)
    assert again.attempts == 2
    box.delivered("HLM-BBBB", "smtp")
    assert box.deliveries("HLM-BBBB")[0]["status"] == DELIVERED


def _claimer(url: str, start, results) -> None:
    box = Outbox(HandoffDB(url))
    start.wait()
    got = []
    deadline = time.time() + 30
    while time.time() < deadline:
        jobs = box.claim(["smtp"], lease_seconds=300, limit=3)
        if not jobs and all(d["status"] == DELIVERED for d in box.deliveries()):
            break
        for job in jobs:
            got.append(job.request.reference)
            box.delivered(job.request.reference, "smtp")
    results.put(got)


def test_four_workers_deliver_each_request_exactly_once(url):
    box = Outbox(HandoffDB(url))
    references = [f"HLM-{n:04d}" for n in range(40)]
    for reference in references:
        box.add(_request(reference), ["smtp"])
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_claimer, args=(url, start, results)) for _ in range(4)]
    for p in procs:
        p.start()
    start.set()
    delivered = [ref for _ in procs for ref in results.get(timeout=60)]
    for p in procs:
        p.join(timeout=30)
    assert sorted(delivered) == references  # every request once, none twice


def _taker(url: str, ids, name: str, start, results) -> None:
    desk = LiveDesk(db=HandoffDB(url))
    start.wait()
    results.put((name, [i for i in ids if desk.take(i, name)]))


def test_two_replicas_racing_never_take_the_same_conversation(url):
    desk = LiveDesk(db=HandoffDB(url))
    for n in range(40):
        desk.enqueue(f"c{n}", "socketio", [])
    ids = [h.id for h in desk.handoffs()]
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_taker, args=(url, ids, name, start, results))
        for name in ("anna", "bram")
    ]
    for p in procs:
        p.start()
    start.set()
    taken = dict(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert sorted(taken["anna"] + taken["bram"]) == sorted(ids)
    assert not set(taken["anna"]) & set(taken["bram"])
    assert all(h.agent in ("anna", "bram") for h in desk.handoffs([ACTIVE]))


def test_purge_removes_old_records_of_every_kind(url):
    now = [datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()]
    db = HandoffDB(url)
    desk = LiveDesk(db=db, clock=lambda: now[0])
    box = Outbox(db, clock=lambda: now[0])
    audit = AuditLog(db, clock=lambda: now[0])
    desk.enqueue("old", "rest", [])
    box.add(_request("HLM-OLD1"), ["smtp"])
    audit.record("anna", "take", "handoff", "1")
    now[0] += 40 * 86400
    desk.enqueue("new", "rest", [])
    cutoff = datetime.fromtimestamp(now[0], timezone.utc) - timedelta(days=30)
    assert desk.purge(cutoff) == 1 and box.purge(cutoff) == 1 and audit.purge(cutoff) == 1
    assert desk.open_handoff("new") is not None and box.count() == 0


def test_sqlite_database_is_private_to_its_owner(tmp_path):
    path = tmp_path / "conversations.db"
    LiveDesk(path=path).seen("anna")
    for part in (path, Path(f"{path}-wal")):
        if part.exists():
            assert stat.S_IMODE(os.stat(part).st_mode) == 0o600


def test_old_sqlite_files_are_imported_once(tmp_path):
    import sqlite3

    old = sqlite3.connect(tmp_path / legacy.LIVE_FILE)
    old.executescript(
        "CREATE TABLE live_handoff (id INTEGER PRIMARY KEY, conversation_id TEXT, channel TEXT,"
        " status TEXT, agent TEXT, transcript TEXT, created_at REAL, taken_at REAL,"
        " closed_at REAL, offered_at REAL, announced_at REAL, updated_at REAL);"
        "CREATE TABLE live_message (id INTEGER PRIMARY KEY, handoff_id INTEGER, sender TEXT,"
        " agent TEXT, text TEXT, created_at REAL, delivered INTEGER);"
        "INSERT INTO live_handoff VALUES (7, 'rest:x', 'rest', 'waiting', NULL, '[]', 1.0,"
        " NULL, NULL, NULL, NULL, 1.0);"
        "INSERT INTO live_message VALUES (3, 7, 'user', NULL, 'hallo', 1.0, 1);"
    )
    old.commit()
    old.close()
    reset_engines()
    desk = LiveDesk(path=tmp_path / "conversations.db")  # opening the database imports
    handoff = desk.open_handoff("rest:x")
    assert [m.text for m in desk.messages(handoff.id)] == ["hallo"]
    assert not (tmp_path / legacy.LIVE_FILE).exists()
    assert (tmp_path / (legacy.LIVE_FILE + ".imported")).exists()
    reset_engines()
    assert len(LiveDesk(path=tmp_path / "conversations.db").handoffs()) == 1  # not twice
    reset_engines()
    assert open_db(tmp_path / "conversations.db") is not None


def _forked_child(url: str, results) -> None:
    desk = LiveDesk(db=open_db_for(url))
    desk.seen("fork")
    results.put(desk.agents_on_duty())


def open_db_for(url: str) -> HandoffDB:
    from bot.handoff.db import open_db as shared

    return shared(url)


def test_a_forked_worker_gets_its_own_connections(url):
    """Sanic forks its workers after the process opened the database: each child starts with
    a fresh pool, never its parent's connections."""
    parent = open_db_for(url)
    LiveDesk(db=parent).off_duty("fork")  # the parent holds a pooled connection now
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    child = ctx.Process(target=_forked_child, args=(url, results))
    child.start()
    assert results.get(timeout=30) is True
    child.join(timeout=30)
    assert child.exitcode == 0
    assert LiveDesk(db=parent).agents_on_duty()  # the parent's pool still works
