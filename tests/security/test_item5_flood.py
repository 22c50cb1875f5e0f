"""Item 5: flood limits per conversation and per client address, with a polite Dutch reply."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from twilio.request_validator import RequestValidator

from bot.text.notices import TOO_MANY_MESSAGES
from tests.security.conftest import (
    PER_ADDRESS,
    PER_CONVERSATION,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
    SocketUser,
    new_sender,
    post,
    texts,
    user_texts,
)

pytestmark = pytest.mark.servers


def burst(rasa, bodies, address):
    """Send all at once (the limits count arrivals; a slow machine must not refill them)."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda body: post(rasa, body, address), bodies))


def test_rest_conversation_limit(rasa):
    sender, address = new_sender(), "203.0.113.10"
    answers = burst(
        rasa, [{"sender": sender, "message": "/greet"}] * (PER_CONVERSATION + 6), address
    )
    taken = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 429]
    assert len(taken) + len(refused) == len(answers)
    assert PER_CONVERSATION <= len(taken) < len(answers)
    assert refused[0].headers["Retry-After"] == "60"
    assert texts(refused[0]) == TOO_MANY_MESSAGES
    assert refused[0].json()[0]["recipient_id"] == sender
    assert len(user_texts(rasa, "rest:" + sender)) == len(taken)
    # Someone else, from the same address, is still answered.
    assert post(rasa, {"sender": new_sender(), "message": "hoi"}, address).status_code == 200


def test_rest_address_limit(rasa):
    address = "203.0.113.20"
    answers = burst(
        rasa,
        [{"sender": new_sender(), "message": "/greet"} for _ in range(PER_ADDRESS + 10)],
        address,
    )
    codes = [a.status_code for a in answers]
    assert set(codes) == {200, 429} and codes.count(200) >= PER_ADDRESS
    refused = answers[codes.index(429)]
    assert texts(refused) == TOO_MANY_MESSAGES
    # Other addresses are not affected.
    assert post(rasa, {"sender": new_sender(), "message": "hoi"}, "203.0.113.21").ok


def test_socketio_conversation_limit(rasa):
    user = SocketUser(rasa)
    total = PER_CONVERSATION + 5
    try:
        for _ in range(total):  # at once: arrivals are counted
            user.sio.emit("user_uttered", {"message": "/greet"})
        refusals, deadline = 0, time.monotonic() + 120
        while refusals == 0 and time.monotonic() < deadline:
            reply = user.replies.get(timeout=120)
            refusals += reply.get("text") == TOO_MANY_MESSAGES
        assert refusals >= 1
        # The refusals come at once; the taken messages are still being answered.
        while (
            len(user_texts(rasa, user.conversation)) < PER_CONVERSATION
            and time.monotonic() < deadline
        ):
            time.sleep(0.5)
        time.sleep(2)
        assert PER_CONVERSATION <= len(user_texts(rasa, user.conversation)) < total
    finally:
        user.close()


def test_twilio_flood_is_dropped_after_the_limit(rasa):
    sender = "+31622222222"
    url = f"{rasa.url}/webhooks/twilio/webhook"
    total = PER_CONVERSATION + 5

    def send(i):
        form = {
            "AccountSid": TWILIO_SID,
            "From": sender,
            "To": TWILIO_NUMBER,
            "Body": f"bericht {i}",
        }
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
        return requests.post(
            url, data=form, headers={"X-Twilio-Signature": signature}, timeout=120
        ).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(send, range(total))) == {204}
    assert PER_CONVERSATION <= len(user_texts(rasa, "twilio:" + sender)) < total
