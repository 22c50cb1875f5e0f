"""A long conversation starts a new Rasa session after SESSION_MAX_TURNS messages (real servers).

The search context lives in a slot that is carried over, so "meer" after the new session
continues the search exactly as it does in a short conversation.
"""

import uuid

import pytest
import requests

from bot.settings import Settings
from tests.servers import TOKEN

pytestmark = pytest.mark.servers


def texts(messages) -> str:
    return "\n\n".join(m.get("text", "") for m in messages)


def applied_user_messages(rasa_server, sender: str) -> int:
    """User messages in the tracker's current session (Rasa's APPLIED events)."""
    resp = requests.get(
        f"{rasa_server.url}/conversations/rest:{sender}/tracker",  # REST ids: docs/channels.md
        params={"token": TOKEN, "include_events": "APPLIED"},
        timeout=30,
    )
    resp.raise_for_status()
    return sum(1 for e in resp.json()["events"] if e["event"] == "user")


def test_a_full_session_rolls_over_and_keeps_the_search(rasa_server):
    limit = Settings.from_env().session_max_turns
    assert limit > 0
    short, long = f"test-{uuid.uuid4().hex[:12]}", f"test-{uuid.uuid4().hex[:12]}"
    rasa_server.say(short, "ik zoek een cateraar")
    expected = texts(rasa_server.say(short, "meer"))

    rasa_server.say(long, "ik zoek een cateraar")
    for _ in range(limit - 1):
        rasa_server.say(long, "wie ben jij?")
    assert applied_user_messages(rasa_server, long) == limit
    reply = rasa_server.say(long, "meer")  # message limit + 1: a new session starts first
    assert applied_user_messages(rasa_server, long) == 1
    assert texts(reply) == expected
