"""A hanging live feed must not stall other users on the action server (real action server)."""

import threading
import time

import pytest
import requests

from bot.catalog.dialogue import EVENTS
from bot.feeds.live import WAIT_SECONDS
from bot.runner import server_env
from tests.feedserver import FeedServer
from tests.servers import ActionServer, free_port

pytestmark = pytest.mark.servers

HANG = 30.0  # the feed answers after this long; the search waits WAIT_SECONDS, then falls back


def call(url: str, sender: str, action: str, slots: dict, text: str) -> dict:
    body = {
        "next_action": action,
        "sender_id": sender,
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
            "latest_message": {"text": text, "intent": {"name": "more"}, "entities": []},
        },
    }
    resp = requests.post(f"{url}/webhook", json=body, timeout=60)
    resp.raise_for_status()
    return resp.json()


@pytest.fixture
def hanging_feed():
    feeds = FeedServer().start()
    feeds.serve("/agenda.ics", b"BEGIN:VCALENDAR\nEND:VCALENDAR\n", delay=HANG)
    yield feeds
    feeds.stop()


def test_other_users_turn_is_not_stalled_by_a_hanging_feed(tmp_path, hanging_feed):
    env = server_env(
        {
            "EVENTS_ICS_URL": hanging_feed.url("/agenda.ics"),
            "FEED_TIMEOUT_SECONDS": str(HANG),
            "DATA_DIR": str(tmp_path / "var"),
        },
    )
    action = ActionServer(free_port(), env, tmp_path / "action-server.log").start()
    try:
        call(action.url, "warm-up", "action_contact", {}, "contact")  # load the programme data
        searcher: dict = {}

        def search() -> None:
            start = time.monotonic()
            searcher["reply"] = call(
                action.url,
                "a",
                "action_search_more",
                {"zoekopdracht": {"kind": EVENTS, "page": 0}},
                "meer",
            )
            searcher["seconds"] = time.monotonic() - start

        thread = threading.Thread(target=search)
        thread.start()
        deadline = time.monotonic() + 30
        while not hanging_feed.hits.get("/agenda.ics") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert hanging_feed.hits.get("/agenda.ics"), "the search did not ask the feed"

        start = time.monotonic()
        other = call(action.url, "b", "action_contact", {}, "hoe bereik ik de gemeente")
        other_seconds = time.monotonic() - start
        other_finished_first = thread.is_alive()
        thread.join(timeout=60)
    finally:
        action.stop()

    assert other["responses"][0]["response"] == "utter_contact"
    # User a waited for the feed (WAIT_SECONDS) and then got the fixed list with a note ...
    assert "actuele lijst is nu niet bereikbaar" in searcher["reply"]["responses"][0]["text"]
    assert searcher["seconds"] >= WAIT_SECONDS * 0.9
    # ... while user b was answered during that wait, not after it.
    assert other_finished_first, "user b's turn waited for user a's hanging feed"
    assert other_seconds < searcher["seconds"] / 3, (other_seconds, searcher["seconds"])
