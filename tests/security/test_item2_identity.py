"""Item 2: no channel can speak in, or read, another channel's or user's conversation."""

import time

import pytest
import requests
from twilio.request_validator import RequestValidator

from bot.channels.ids import conversation_id, native_id, split
from tests.security.conftest import (
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
    TWILIO_WHATSAPP,
    SocketUser,
    new_sender,
    post,
    tracker,
    user_texts,
)

pytestmark = pytest.mark.servers
VICTIM = "whatsapp:+31612345678"


def twilio_post(rasa, sender, body, signed=True):
    url = f"{rasa.url}/webhooks/twilio/webhook"
    form = {
        "MessageSid": "SM" + "2" * 32,
        "AccountSid": TWILIO_SID,
        "From": sender,
        "To": TWILIO_WHATSAPP if sender.startswith("whatsapp:") else TWILIO_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form) if signed else "x"
    return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)


def wait_user_texts(rasa, conversation, count, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = user_texts(rasa, conversation)
        except requests.HTTPError:
            found = []
        if len(found) >= count:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{conversation} has no {count} user messages")


def test_ids_name_their_channel():
    assert conversation_id("twilio", VICTIM) == "twilio:whatsapp:+31612345678"
    assert split("twilio:whatsapp:+31612345678") == ("twilio", VICTIM)
    assert split("rest:twilio:x") == ("rest", "twilio:x")
    assert native_id("telegram", "telegram:42") == "42"
    with pytest.raises(ValueError):
        split("whatsapp:+31612345678")


def test_rest_cannot_reach_a_whatsapp_conversation(rasa):
    assert twilio_post(rasa, VICTIM, "Wat betekent LOL?").status_code == 204
    assert wait_user_texts(rasa, "twilio:" + VICTIM, 1) == ["Wat betekent LOL?"]
    for forged in (VICTIM, "twilio:" + VICTIM):
        resp = post(rasa, {"sender": forged, "message": "meer"})
        assert resp.status_code == 200
        assert all(m["recipient_id"] == forged for m in resp.json())
        assert user_texts(rasa, "rest:" + forged) == ["meer"]
    # The WhatsApp user's conversation has only their own message.
    assert user_texts(rasa, "twilio:" + VICTIM) == ["Wat betekent LOL?"]


def test_rest_without_sender_gets_its_own_conversation(rasa):
    first = post(rasa, {"message": "Wat betekent LOL?"}).json()
    second = post(rasa, {"message": "hoi"}).json()
    assert first[0]["recipient_id"] != second[0]["recipient_id"]
    assert user_texts(rasa, "rest:" + first[0]["recipient_id"]) == ["Wat betekent LOL?"]


def test_socketio_ids_are_issued_by_the_server(rasa):
    sender = new_sender()
    post(rasa, {"sender": sender, "message": "Wat betekent LOL?"}).raise_for_status()
    chosen = [
        None,
        "rest:" + sender,
        sender,
        "twilio:" + VICTIM,
        "abc.def",
        "0" * 32 + "." + "0" * 32,
    ]
    users = [SocketUser(rasa, session_id=s) for s in chosen]
    try:
        conversations = {u.conversation for u in users}
        assert len(conversations) == len(users)  # a new conversation for each
        for user, value in zip(users, chosen, strict=True):
            assert user.token != value
            assert user.conversation.startswith("socketio:")
        # The session id in a message is ignored: the socket's own session counts.
        victim_token = users[0].token
        attacker = users[1]
        assert attacker.say("hallo", session_id=victim_token)
        assert user_texts(rasa, attacker.conversation) == ["hallo"]
        assert user_texts(rasa, users[0].conversation) == []
        assert user_texts(rasa, "rest:" + sender) == ["Wat betekent LOL?"]
    finally:
        for user in users:
            user.close()


def test_socketio_session_resumes_with_its_token_only(rasa):
    first = SocketUser(rasa)
    try:
        assert first.say("Wat betekent LOL?")
    finally:
        first.close()
    again = SocketUser(rasa, session_id=first.token)  # a reload of the widget
    try:
        assert again.conversation == first.conversation
        assert again.say("Wat is social return?")
        assert user_texts(rasa, first.conversation) == [
            "Wat betekent LOL?",
            "Wat is social return?",
        ]
    finally:
        again.close()


def test_tracker_api_needs_the_token(rasa):
    resp = requests.get(f"{rasa.url}/conversations/rest%3Ax/tracker", timeout=10)
    assert resp.status_code in (401, 403)
    assert tracker(rasa, "rest:" + new_sender())["events"] is not None
