"""The Slack and Messenger outputs send a result list in their own format to the provider's
API (the local stand-in records the real HTTP requests); other messages go out as before."""

import asyncio
import json

from fbmessenger import MessengerClient

from bot.channels.facebook import FittingMessengerBot
from bot.channels.slack import BlocksSlackBot
from tests.channels.test_renderers import RESULTS


def rasa_message(reply):
    """The bot message as Rasa hands it to an output channel."""
    sent = reply.message()
    return {"text": sent["text"], "buttons": sent["buttons"], "custom": sent["json_message"]}


def test_slack_sends_blocks_once(provider_api, monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://bot.example.nl")
    provider_api.clear()
    bot = BlocksSlackBot("xoxb-test", "C123")
    bot.client.base_url = f"{provider_api.url}/api/"
    asyncio.run(bot.send_response("U1", rasa_message(RESULTS)))
    [call] = provider_api.sent(lambda c: c.path == "/api/chat.postMessage")
    assert call.fields["channel"] == "C123" and call.fields["text"] == RESULTS.intro
    blocks = json.loads(call.fields["blocks"])
    assert blocks[1]["accessory"]["url"] == RESULTS.items[0].link.url
    assert (
        blocks[2]["elements"][1]["url"] == "https://bot.example.nl/webchat/agenda/impact-cafe.ics"
    )
    # A message without results is Rasa's plain Slack message.
    asyncio.run(bot.send_response("U1", {"text": "Hoi"}))
    last = provider_api.sent(lambda c: c.path == "/api/chat.postMessage")[-1]
    assert last.fields["text"] == "Hoi" and "blocks" not in last.fields


def test_messenger_sends_intro_generic_template_and_quick_replies(provider_api, monkeypatch):
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    provider_api.clear()
    client = MessengerClient("page-token")
    client.graph_url = provider_api.url
    asyncio.run(FittingMessengerBot(client).send_response("P1", rasa_message(RESULTS)))
    calls = provider_api.sent(lambda c: c.path == "/me/messages")
    messages = [json.loads(c.fields["message"]) for c in calls]
    assert messages[0] == {"text": RESULTS.intro}
    elements = messages[1]["attachment"]["payload"]["elements"]
    assert [e["buttons"][0]["url"] for e in elements] == [i.link.url for i in RESULTS.items]
    assert all(len(e["buttons"]) == 2 for e in elements)  # no PUBLIC_URL: no calendar link
    assert [q["title"] for q in messages[2]["quick_replies"]] == ["Toon meer", "Alleen online"]
    assert len(messages) == 3  # not also the long text
