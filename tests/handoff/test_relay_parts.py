"""Parts of the relay that need no Rasa server: ids, the contact-request payload, webhooks."""

import asyncio

from bot import names
from bot.handoff.relay import is_contact_request, recipient_id
from bot.handoff.webhook import WebhookSender
from tests.handoff.conftest import WEBHOOK_SECRET, WebhookReceiver


def test_recipient_ids_drop_a_channel_namespace_only():
    assert recipient_id("socketio:abc", "socketio") == "abc"
    assert recipient_id("abc", "socketio") == "abc"
    assert recipient_id("rest:abc", "socketio") == "rest:abc"


def test_the_contact_request_button_is_recognised():
    assert is_contact_request(names.payload(names.REQUEST_CONTACT))
    assert not is_contact_request("Ik wacht nog even")
    assert not is_contact_request(None)


def test_webhooks_are_signed_and_a_wrong_secret_is_rejected():
    receiver = WebhookReceiver(WEBHOOK_SECRET).start()
    try:

        async def send():
            good = WebhookSender(receiver.url, WEBHOOK_SECRET)
            await good.send("handover.started", {"handoff_id": 7, "transcript": []})
            await good.close()
            bad = WebhookSender(receiver.url, "another secret")
            assert not await bad._deliver("message.user", b'{"handoff_id": 7}')  # 401: no retry
            await bad.close()
            off = WebhookSender("", "")
            assert not off.enabled
            await off.send("handover.started", {"handoff_id": 8})

        asyncio.run(send())
        assert [e["event"] for e in receiver.events] == ["handover.started"]
        assert receiver.events[0]["handoff_id"] == 7
        assert [status for status, _ in receiver.rejected] == [401]
    finally:
        receiver.stop()
