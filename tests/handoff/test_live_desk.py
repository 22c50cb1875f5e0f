"""The live desk's queue in SQLite: places, take (atomic), close, cancel, duty, purge."""

import multiprocessing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.handoff import live
from bot.handoff.live import ACTIVE, CANCELLED, CLOSED, WAITING, LiveDesk


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def desk(tmp_path, clock):
    return LiveDesk(path=tmp_path / "live.sqlite3", clock=clock)


def test_queue_places_are_one_based_and_move_up(desk, clock):
    assert desk.enqueue("a", "socketio", [{"from": "user", "text": "Hoi"}]) == 1
    clock.now += 1
    assert desk.enqueue("b", "rest", "Platte tekst") == 2
    clock.now += 1
    assert desk.enqueue("c", "telegram", []) == 3
    # Queuing again keeps the place and the first transcript.
    assert desk.enqueue("b", "rest", "anders") == 2
    assert desk.open_handoff("b").transcript == [{"from": "transcript", "text": "Platte tekst"}]
    first = desk.open_handoff("a")
    assert desk.take(first.id, "anna")
    assert desk.position("b") == 1 and desk.position("c") == 2
    assert desk.position("a") is None
    # An employee has "a": queuing it again does not put it back in the queue.
    assert desk.enqueue("a", "socketio", []) == 0


def test_take_close_and_a_new_handover_later(desk):
    desk.enqueue("a", "socketio", [])
    handoff = desk.open_handoff("a")
    assert handoff.status == WAITING
    assert not desk.close(handoff.id, "anna")  # not taken yet
    assert desk.take(handoff.id, "anna")
    assert not desk.take(handoff.id, "bram")  # already taken
    assert not desk.close(handoff.id, "bram")  # not bram's
    assert desk.get(handoff.id).status == ACTIVE
    assert desk.close(handoff.id, "anna")
    assert desk.get(handoff.id).status == CLOSED
    assert desk.open_handoff("a") is None
    assert desk.enqueue("a", "socketio", []) == 1  # a second handover of the same chat
    assert desk.open_handoff("a").id != handoff.id


def test_cancel_only_while_waiting(desk):
    desk.enqueue("a", "rest", [])
    assert desk.cancel("a")
    assert desk.handoffs([CANCELLED])[0].conversation_id == "a"
    desk.enqueue("b", "rest", [])
    desk.take(desk.open_handoff("b").id, "anna")
    assert not desk.cancel("b")


def test_transcripts_are_normalised():
    assert live.normalise_transcript(
        [
            {"from": "user", "text": "Vraag", "at": 1_800_000_000},
            {"sender": "bot", "text": "Antwoord"},
            {"role": "user", "text": "   "},
            {"from": "user"},
        ]
    ) == [
        {"from": "user", "text": "Vraag", "at": "2027-01-15T08:00:00+00:00"},
        {"from": "bot", "text": "Antwoord"},
    ]
    assert live.normalise_transcript("") == []


def test_messages_and_pending_delivery(desk):
    desk.enqueue("rest-user", "rest", [])
    handoff = desk.open_handoff("rest-user")
    user = desk.add_message(handoff.id, "user", "Hallo?")
    agent = desk.add_message(handoff.id, "agent", "Goedemiddag!", agent="anna")
    desk.mark_pending(agent.id)
    assert [m.id for m in desk.messages(handoff.id)] == [user.id, agent.id]
    assert [m.id for m in desk.messages(handoff.id, after=user.id)] == [agent.id]
    assert [m.text for m in desk.undelivered("rest-user")] == ["Goedemiddag!"]
    assert desk.undelivered("rest-user") == []  # delivered once


def test_duty_follows_the_last_sign_of_life(desk, clock):
    assert not desk.agents_on_duty()
    desk.seen("anna")
    assert desk.agents_on_duty()
    clock.now += live.DUTY_SECONDS + 1
    assert not desk.agents_on_duty()
    desk.seen("anna")
    desk.off_duty("anna")
    assert not desk.agents_on_duty()


def test_overdue_and_announced_are_marked_once(desk, clock):
    desk.enqueue("a", "socketio", [])
    handoff = desk.open_handoff("a")
    assert [h.id for h in desk.unannounced()] == [handoff.id]
    assert desk.mark(handoff.id, "announced_at")
    assert not desk.mark(handoff.id, "announced_at")
    assert desk.unannounced() == []
    assert desk.overdue(180) == []
    clock.now += 180
    assert [h.id for h in desk.overdue(180)] == [handoff.id]
    assert desk.mark(handoff.id, "offered_at")
    assert desk.overdue(180) == []


def test_purge_removes_old_handovers_and_their_messages(tmp_path, clock):
    desk = LiveDesk(path=tmp_path / "live.sqlite3", clock=clock)
    desk.enqueue("old", "rest", [])
    old = desk.open_handoff("old")
    desk.add_message(old.id, "user", "oud bericht")
    clock.now += 40 * 86400
    desk.enqueue("new", "rest", [])
    cutoff = datetime.fromtimestamp(clock.now - 30 * 86400, timezone.utc)
    assert desk.purge(cutoff) == 1
    assert desk.get(old.id) is None
    assert desk.messages(old.id) == []
    assert desk.open_handoff("new") is not None
    assert desk.purge(cutoff) == 0


def test_module_purge_uses_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    from bot.settings import Settings

    LiveDesk(Settings.from_env()).enqueue("x", "rest", [])
    assert live.database_path(tmp_path).is_file()
    assert live.purge(datetime.now(timezone.utc) + timedelta(seconds=1)) == 1


def _race(path: str, ids, name: str, start, results) -> None:
    desk = LiveDesk(path=Path(path))
    start.wait()
    results.put((name, [i for i in ids if desk.take(i, name)]))


def test_two_employees_racing_never_take_the_same_conversation(tmp_path):
    """Two processes (two employees) try to take each of 60 conversations at the same time."""
    path = tmp_path / "live.sqlite3"
    desk = LiveDesk(path=path)
    for n in range(60):
        desk.enqueue(f"c{n}", "socketio", [])
    ids = [h.id for h in desk.handoffs()]
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_race, args=(str(path), ids, name, start, results))
        for name in ("anna", "bram")
    ]
    for p in procs:
        p.start()
    start.set()
    taken = dict(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert sorted(taken["anna"] + taken["bram"]) == sorted(ids)  # each taken exactly once
    assert not set(taken["anna"]) & set(taken["bram"])
    for handoff in desk.handoffs([ACTIVE]):
        assert handoff.id in taken[handoff.agent]
