"""Rasa's Slack connector; a result list goes out as Block Kit blocks.

Button presses come back through Rasa's own interactive-message handling (the button's
``value`` is the payload); link buttons open the page in the browser.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput

from bot.channels.rich import public_url, reply_in
from bot.replies import render


class BlocksSlackBot(SlackBot):
    """Slack output that sends result lists as blocks (text stays the notification text)."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        reply = reply_in(message)
        if reply is None:
            await super().send_response(recipient_id, message)
            return
        await self._post_message(channel=self.slack_channel or recipient_id, as_user=True,
                                 text=reply.intro or reply.text,
                                 blocks=render.slack(reply, public_url()))


class SlackInput(RasaSlackInput):
    """Webhook at /webhooks/slack/webhook, like Rasa's own connector."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def get_output_channel(self, channel: Optional[Text] = None,
                           thread_id: Optional[Text] = None) -> OutputChannel:
        return BlocksSlackBot(self.slack_token, channel or self.slack_channel, thread_id,
                              self.proxy)
