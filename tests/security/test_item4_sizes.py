"""Item 4: request bodies are limited everywhere, and so is the metadata that is kept."""

import contextlib
import json

import pytest
import requests

from bot.settings import Settings
from tests.security.conftest import (
    MAX_REQUEST_BYTES,
    SocketUser,
    new_sender,
    post,
    tracker,
    user_texts,
)
from tests.servers import TOKEN

pytestmark = pytest.mark.servers


def big(n):
    return "a" * n


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/rest/webhook",
        "/webhooks/twilio/webhook",
        "/webhooks/telegram/webhook",
        "/webhooks/facebook/webhook",
        f"/model/parse?token={TOKEN}",
    ],
)
def test_bodies_over_the_limit_are_refused_on_every_route(rasa, path):
    body = json.dumps({"sender": "x", "message": "hoi", "pad": big(MAX_REQUEST_BYTES)})
    resp = requests.post(
        rasa.url + path, data=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert resp.status_code == 413


def test_a_body_just_under_the_limit_is_taken(rasa):
    message = "Ik heb een vraag over inkoop. " * 600  # 18,000 characters
    body = {"sender": new_sender(), "message": message}
    assert len(json.dumps(body)) < MAX_REQUEST_BYTES
    assert post(rasa, body).status_code == 200


def test_metadata_is_limited(rasa):
    limit = Settings.from_env().max_metadata_bytes
    sender = new_sender()
    resp = post(rasa, {"sender": sender, "message": "hoi", "metadata": {"x": big(limit + 1)}})
    assert resp.status_code == 413
    assert user_texts(rasa, "rest:" + sender) == []
    small = {"page": "/impact"}
    assert post(rasa, {"sender": sender, "message": "hoi", "metadata": small}).ok
    events = [e for e in tracker(rasa, "rest:" + sender)["events"] if e["event"] == "user"]
    assert events[0]["metadata"]["page"] == "/impact"


def test_socketio_frames_over_the_limit_are_not_taken(rasa):
    user = SocketUser(rasa)
    try:
        user.sio.emit("user_uttered", {"message": "hoi", "pad": big(MAX_REQUEST_BYTES)})
        user.sio.sleep(3)
        assert user_texts(rasa, user.conversation) == []
    finally:
        with contextlib.suppress(Exception):  # the server may have closed it
            user.close()
    # The server goes on answering others.
    assert post(rasa, {"sender": new_sender(), "message": "hoi"}).status_code == 200


def test_socketio_metadata_over_the_limit_is_dropped(rasa):
    limit = Settings.from_env().max_metadata_bytes
    user = SocketUser(rasa)
    try:
        user.sio.emit("user_uttered", {"message": "hoi", "metadata": {"x": big(limit + 1)}})
        assert user.replies.get(timeout=30)
        events = [e for e in tracker(rasa, user.conversation)["events"] if e["event"] == "user"]
        assert events and not events[0].get("metadata", {}).get("x")
    finally:
        user.close()
