"""The embedded default (SQLite under DATA_DIR) through real servers: restarts and faults."""

import json
import os
import signal
import sqlite3
import time

import pytest

from bot.channels.ids import conversation_id
from tests.persistence.conftest import numbered, say, sender
from tests.servers import running_pair

pytestmark = pytest.mark.servers

APOLOGY = "Sorry, er ging bij mij iets mis."


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Action server + Rasa server with the defaults of `make run` (SQLite, ACTION_TIMEOUT 5 s)."""
    workdir = tmp_path_factory.mktemp("sqlite")
    with running_pair(workdir) as (action, rasa):
        say(rasa, sender("warm-up"), "welke evenementen zijn er de komende maanden")
        yield workdir, action, rasa


def stored_user_texts(workdir, who):
    with sqlite3.connect(workdir / "var" / "conversations.db") as conn:
        rows = conn.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (conversation_id("rest", who),),  # REST senders are stored as "rest:<sender>"
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def test_conversation_survives_restarts_of_both_servers(pair):
    workdir, action, rasa = pair
    who, asking = sender(), sender()
    first, _ = say(rasa, who, "welke evenementen zijn er de komende maanden")
    assert numbered(first)[0].startswith("1. ")
    text, _ = say(rasa, asking, "ik ben op zoek naar een leverancier met impact")
    assert "Kies een categorie" in text  # a pending question

    rasa.restart()
    more, _ = say(rasa, who, "meer")
    assert numbered(more)[0].startswith("4. "), more  # not "Ik heb nog geen lijst"
    text, _ = say(rasa, asking, "schoonmaak graag")
    assert "aanbieders voor schoonmaak" in text  # the question was remembered

    action.restart()
    second_title = numbered(first)[1][3:].split(":")[0]
    detail, _ = say(rasa, who, "vertel meer over de tweede")
    assert detail.startswith(second_title)

    assert stored_user_texts(workdir, who) == [
        "welke evenementen zijn er de komende maanden",
        "meer",
        "vertel meer over de tweede",
    ]


def test_action_server_down_gets_a_polite_answer_within_the_timeout(pair):
    _, action, rasa = pair
    who = sender()
    action.stop()
    try:
        start = time.monotonic()
        text, buttons = say(rasa, who, "welke evenementen zijn er de komende maanden")
        seconds = time.monotonic() - start
    finally:
        action.start()
    assert text.startswith(APOLOGY) and "14 023" in text
    assert {"title": "Een medewerker spreken", "payload": "/request_human"} in buttons
    print(f"action server down: apology after {seconds:.2f} s")
    # Once the action server is back, the same conversation goes on normally.
    text, _ = say(rasa, who, "welke evenementen zijn er de komende maanden")
    assert numbered(text)[0].startswith("1. ")


def test_hanging_action_server_is_cut_off_at_action_timeout(pair):
    """The action server is frozen (SIGSTOP): it accepts the call but never answers."""
    _, action, rasa = pair
    who = sender()
    os.kill(action.proc.pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        text, buttons = say(rasa, who, "welke evenementen zijn er de komende maanden")
        seconds = time.monotonic() - start
    finally:
        os.kill(action.proc.pid, signal.SIGCONT)
    assert text.startswith(APOLOGY) and "14 023" in text
    assert {"title": "Een medewerker spreken", "payload": "/request_human"} in buttons
    print(f"hanging action server: apology after {seconds:.2f} s (ACTION_TIMEOUT 5 s)")
    text, _ = say(rasa, who, "welke evenementen zijn er de komende maanden")
    assert numbered(text)[0].startswith("1. ")
