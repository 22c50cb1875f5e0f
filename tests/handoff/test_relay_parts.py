"""Parts of the relay that need no Rasa server: ids, the contact-request payload, webhooks."""

import asyncio
from types import SimpleNamespace

from rasa.core.channels.channel import OutputChannel

from bot import names
from bot.channels.ids import conversation_id
from bot.channels.namespacing import wrap_output
from bot.handoff.live import Handoff, Message
from bot.handoff.relay import AGENT_LABEL, Relay, is_contact_request, recipient_id
from bot.handoff.webhook import WebhookSender
from tests.handoff.conftest import WEBHOOK_SECRET, WebhookReceiver


def test_recipient_ids_drop_a_channel_namespace_only():
    assert recipient_id("socketio:abc", "socketio") == "abc"
    assert recipient_id("abc", "socketio") == "abc"
    assert recipient_id("rest:abc", "socketio") == "rest:abc"


class Collecting(OutputChannel):
    """A push channel's output (as Telegram's) that keeps what it sends."""

    def __init__(self):
        self.sent = []

    @classmethod
    def name(cls):
        return "telegram"

    async def send_text_message(self, recipient_id, text, **kwargs):
        self.sent.append((recipient_id, text, None))

    async def send_text_with_buttons(self, recipient_id, text, buttons, **kwargs):
        self.sent.append((recipient_id, text, buttons))


def test_employee_messages_reach_a_push_channel_through_its_namespaced_output():
    """Channels wrap their output for namespaced ids; the relay must get through the wrapper."""
    inner = Collecting()
    channel = SimpleNamespace(
        name=lambda: "telegram", get_output_channel=lambda: wrap_output(inner, "telegram")
    )
    relay = Relay(
        desk=None, settings=SimpleNamespace(handoff_webhook_url="", handoff_webhook_secret="")
    )
    relay.app = SimpleNamespace(ctx=SimpleNamespace(input_channels=[channel]))
    handoff = Handoff(
        1,
        conversation_id("telegram", "4242"),
        "telegram",
        "active",
        "anna",
        [],
        0.0,
        0.0,
        None,
        None,
        0.0,
    )
    buttons = [{"title": "Ja", "payload": "/affirm"}]

    async def deliver():
        await relay.deliver(handoff, Message(1, 1, "agent", "anna", "Hallo", 0.0))
        await relay.deliver(handoff, Message(2, 1, "system", None, "Kies", 0.0), buttons=buttons)
        await relay.stop()

    asyncio.run(deliver())
    assert inner.sent == [("4242", f"{AGENT_LABEL}: Hallo", None), ("4242", "Kies", buttons)]


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
