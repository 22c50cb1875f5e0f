"""Live handover against the real servers, over REST and the console/live-chat HTTP APIs.

The office is always open in these servers (conftest), an employee is on duty once logged in.
"""

import json
import threading
import time
import uuid

import pytest
import requests

from bot import names
from bot.channels.ids import conversation_id
from bot.handoff import relay, signing
from bot.handoff.live import LiveDesk
from tests.handoff.conftest import (
    API_SECRET,
    WAIT_SECONDS,
    console_session,
    tracker,
    tracker_url,
)
from tests.servers import TOKEN

pytestmark = pytest.mark.servers


def texts(replies):
    return " ".join(r.get("text") or "" for r in replies)


def wait_for(check, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def queue_over_rest(rasa, sender):
    """Ask for a person, consent, and land in the live queue; return the handoff id."""
    offer = rasa.say(sender, "Ik wil een medewerker spreken")
    assert any(
        b.get("payload") == names.payload(names.AFFIRM)
        for r in offer
        for b in r.get("buttons") or []
    ), offer
    queued = rasa.say(sender, names.payload(names.AFFIRM))
    assert "nummer" in texts(queued) and "rij" in texts(queued), queued
    return None


@pytest.fixture
def desk(live_data_dir):
    return LiveDesk(path=live_data_dir / "conversations.db")


@pytest.fixture
def anna(live_rasa):
    session = console_session(live_rasa, "anna")
    yield session
    session.post(f"{live_rasa.url}/console/api/logout", json={})


def open_id(desk, sender):
    """The open handoff of a REST sender (the desk knows it by its conversation id)."""
    conversation = conversation_id("rest", sender)
    handoff = desk.open_handoff(conversation)
    assert handoff is not None, f"{conversation} is not with the live desk"
    return handoff.id


def test_console_api_needs_a_login(live_rasa):
    assert requests.get(f"{live_rasa.url}/console/api/handoffs", timeout=10).status_code == 401
    bad = requests.post(
        f"{live_rasa.url}/console/api/login", json={"name": "anna", "password": "fout"}, timeout=10
    )
    assert bad.status_code == 401
    assert (
        requests.post(
            f"{live_rasa.url}/console/api/login",
            data="{nope",
            headers={"Content-Type": "application/json"},
            timeout=10,
        ).status_code
        == 400
    )
    assert (
        requests.post(f"{live_rasa.url}/console/api/login", json=["x"], timeout=10).status_code
        == 400
    )
    page = requests.get(f"{live_rasa.url}/console/", timeout=10)
    assert page.ok and "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_handover_with_a_one_hour_pause_and_rest_delivery(live_rasa, desk, anna, webhook_receiver):
    """Session expiry (1 h silence) during a handover does not bring the bot back."""
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    conversation = conversation_id("rest", sender)  # how Rasa and the desk know it
    queue_over_rest(live_rasa, sender)
    handoff_id = open_id(desk, sender)
    assert tracker(live_rasa, conversation)["paused"] is True
    started = wait_for(
        lambda: webhook_receiver.of("handover.started", handoff_id), what="the handover webhook"
    )
    assert started[0]["conversation_id"] == conversation and started[0]["transcript"]

    # Waiting: a message goes to the desk, not to the bot.
    assert live_rasa.say(sender, "Ik wacht wel even") == []
    url = f"{live_rasa.url}/console/api/handoffs/{handoff_id}"
    assert anna.post(f"{url}/take", json={}, timeout=10).ok

    # An hour of silence: every event of the tracker moves an hour back.
    events = tracker(live_rasa, conversation)["events"]
    for event in events:
        event["timestamp"] -= 3700
    resp = requests.put(
        tracker_url(live_rasa, conversation) + "/events",
        params={"token": TOKEN},
        json=events,
        timeout=10,
    )
    assert resp.ok, resp.text

    # The user comes back: no new session, no bot; the employee gets the message.
    before = len(tracker(live_rasa, conversation)["events"])
    assert live_rasa.say(sender, "Ben je er nog?") == [
        {"recipient_id": sender, "text": relay.TEXT_TAKEN}
    ]  # pending since the take (REST)
    state = tracker(live_rasa, conversation)
    assert state["paused"] is True
    new_events = state["events"][before:]
    assert [e["event"] for e in new_events] == ["user"]
    assert not any(e["event"] == "session_started" for e in new_events)
    messages = anna.get(url, timeout=10).json()["messages"]
    assert [m["text"] for m in messages if m["from"] == "user"] == [
        "Ik wacht wel even",
        "Ben je er nog?",
    ]
    assert wait_for(lambda: webhook_receiver.of("message.user", handoff_id), what="webhooks")

    # The employee answers; a REST user gets it with the reply to their next message.
    assert anna.post(f"{url}/messages", json={"text": "Ja hoor, ik help je."}, timeout=10).ok
    assert live_rasa.say(sender, "Fijn") == [
        {"recipient_id": sender, "text": "Medewerker: Ja hoor, ik help je."}
    ]

    # Closing: the bot resumes, tells the user, and answers again.
    assert anna.post(f"{url}/close", json={}, timeout=10).ok
    assert tracker(live_rasa, conversation)["paused"] is False
    replies = live_rasa.say(sender, "Wat betekent LOL?")
    assert replies[0]["text"] == relay.TEXT_CLOSED
    assert "Live Online Learning" in texts(replies[1:])


def test_two_employees_racing_for_one_conversation(live_rasa, desk, anna):
    bram = console_session(live_rasa, "bram")
    sender = f"race-{uuid.uuid4().hex[:8]}"
    queue_over_rest(live_rasa, sender)
    handoff_id = open_id(desk, sender)
    url = f"{live_rasa.url}/console/api/handoffs/{handoff_id}/take"
    start = threading.Barrier(2)
    results = {}

    def take(name, session):
        start.wait()
        results[name] = session.post(url, json={}, timeout=10).status_code

    threads = [
        threading.Thread(target=take, args=item) for item in (("anna", anna), ("bram", bram))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [200, 409], results
    winner = "anna" if results["anna"] == 200 else "bram"
    loser = bram if winner == "anna" else anna
    assert desk.get(handoff_id).agent == winner
    # The other one can neither write nor close it.
    base = f"{live_rasa.url}/console/api/handoffs/{handoff_id}"
    assert loser.post(f"{base}/messages", json={"text": "Hallo"}, timeout=10).status_code == 409
    assert loser.post(f"{base}/close", json={}, timeout=10).status_code == 409
    assert (anna if winner == "anna" else bram).post(f"{base}/close", json={}, timeout=10).ok


def test_nobody_takes_it_in_time_offers_a_contact_request(live_rasa, desk, anna):
    sender = f"wait-{uuid.uuid4().hex[:8]}"
    queue_over_rest(live_rasa, sender)
    handoff_id = open_id(desk, sender)
    wait_for(
        lambda: desk.get(handoff_id).offered_at,
        timeout=WAIT_SECONDS + 30,
        what="the contact-request offer",
    )
    assert live_rasa.say(sender, "Hallo?") == [{"recipient_id": sender, "text": relay.TEXT_OFFER}]
    # The user takes the offer: out of the queue, and the bot handles the contact request.
    replies = live_rasa.say(sender, names.payload(names.REQUEST_CONTACT))
    assert desk.get(handoff_id).status == "cancelled"
    assert tracker(live_rasa, conversation_id("rest", sender))["paused"] is False
    assert replies and any(r.get("buttons") for r in replies), replies


def test_bad_input_to_the_console_gets_a_4xx(live_rasa, desk, anna):
    sender = f"bad-{uuid.uuid4().hex[:8]}"
    queue_over_rest(live_rasa, sender)
    handoff_id = open_id(desk, sender)
    base = f"{live_rasa.url}/console/api/handoffs/{handoff_id}"
    assert anna.post(f"{base}/take", json={}, timeout=10).ok
    for body in ({}, {"text": ""}, {"text": 5}, {"text": "x" * 10_000}):
        assert anna.post(f"{base}/messages", json=body, timeout=10).status_code == 400
    # HTML and emoji are just text; a request from another site is refused.
    script = "<script>alert(1)</script> 👍"
    assert anna.post(f"{base}/messages", json={"text": script}, timeout=10).ok
    assert (
        anna.post(
            f"{base}/messages",
            json={"text": "x"},
            timeout=10,
            headers={"Origin": "https://evil.example"},
        ).status_code
        == 403
    )
    assert (
        anna.post(
            f"{base}/messages",
            data="text=x",
            timeout=10,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ).status_code
        == 403
    )
    assert anna.get(f"{live_rasa.url}/console/api/handoffs/999999", timeout=10).status_code == 404
    assert anna.get(f"{base}?after=abc", timeout=10).status_code == 400
    assert anna.post(f"{base}/close", json={}, timeout=10).ok


SIGNED: set = set()  # the signatures sent so far


def signed_post(url, body: dict, secret=API_SECRET):
    """A new signed request. The same request in the same second has the same signature, which
    the server refuses as a replay (docs/handoff-api.yaml), so wait for the next second then."""
    raw = json.dumps(body).encode()
    path = signing.path_of(url)
    signed = signing.sign(secret, raw, path=path)
    while signed[signing.SIGNATURE_HEADER] in SIGNED:
        time.sleep(0.1)
        signed = signing.sign(secret, raw, path=path)
    SIGNED.add(signed[signing.SIGNATURE_HEADER])
    headers = {"Content-Type": "application/json", **signed}
    return requests.post(url, data=raw, headers=headers, timeout=10), raw, headers


def test_live_chat_api_for_the_municipalitys_own_system(live_rasa, desk, webhook_receiver):
    api = f"{live_rasa.url}/handoff/api/v1"
    resp, _, _ = signed_post(f"{api}/presence", {"agent": "extern-1"})
    assert resp.ok
    sender = f"api-{uuid.uuid4().hex[:8]}"
    queue_over_rest(live_rasa, sender)
    handoff_id = open_id(desk, sender)
    started = wait_for(
        lambda: webhook_receiver.of("handover.started", handoff_id), what="the handover webhook"
    )[0]
    assert started["channel"] == "rest"
    assert any(turn["from"] == "user" for turn in started["transcript"])

    # Unsigned, wrongly signed, altered or replayed requests are refused.
    take = f"{api}/conversations/{handoff_id}/take"
    assert requests.post(take, json={"agent": "extern-1"}, timeout=10).status_code == 401
    assert signed_post(take, {"agent": "extern-1"}, secret="wrong")[0].status_code == 401
    resp, raw, headers = signed_post(take, {"agent": "extern-1"})
    assert resp.ok
    assert requests.post(take, data=raw, headers=headers, timeout=10).status_code == 409
    altered = raw.replace(b"extern-1", b"extern-2")
    assert requests.post(take, data=altered, headers=headers, timeout=10).status_code == 401
    assert signed_post(take, ["not", "an", "object"])[0].status_code == 400

    # A user message is pushed as a signed webhook; the employee answers through the API.
    assert live_rasa.say(sender, "Hallo medewerker") == [
        {"recipient_id": sender, "text": relay.TEXT_TAKEN}
    ]
    message = wait_for(
        lambda: webhook_receiver.of("message.user", handoff_id), what="the message webhook"
    )[0]
    assert message["message"]["text"] == "Hallo medewerker"
    resp, _, _ = signed_post(
        f"{api}/conversations/{handoff_id}/messages",
        {"agent": "extern-1", "text": "Waarmee kan ik helpen?"},
    )
    assert resp.ok
    assert (
        signed_post(
            f"{api}/conversations/{handoff_id}/messages", {"agent": "iemand-anders", "text": "x"}
        )[0].status_code
        == 409
    )
    assert live_rasa.say(sender, "Met mijn aanvraag") == [
        {"recipient_id": sender, "text": "Medewerker: Waarmee kan ik helpen?"}
    ]
    resp, _, _ = signed_post(f"{api}/conversations/{handoff_id}/close", {"agent": "extern-1"})
    assert resp.ok
    assert wait_for(lambda: webhook_receiver.of("handover.closed", handoff_id), what="closed")
    assert live_rasa.say(sender, "Dank je")[0]["text"] == relay.TEXT_CLOSED
    assert not webhook_receiver.rejected
