"""Rasa's Slack connector: namespaced conversation ids ("slack:<Slack id>"), and a result list
goes out as Block Kit blocks.

Rasa's connector checks Slack's request signature (SLACK_SIGNING_SECRET) itself. Button presses
come back through Rasa's own interactive-message handling (the button's ``value`` is the
payload); link buttons open the page in the browser.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint

from bot.channels.namespacing import conversation_limiter, namespaced, wrap_output
from bot.channels.rich import public_url, reply_in
from bot.replies import render


class BlocksSlackBot(SlackBot):
    """Slack output that sends result lists as blocks (text stays the notification text)."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        reply = reply_in(message)
        if reply is None:
            await super().send_response(recipient_id, message)
            return
        await self._post_message(
            channel=self.slack_channel or recipient_id,
            as_user=True,
            text=reply.intro or reply.text,
            blocks=render.slack(reply, public_url()),
        )


class SlackInput(RasaSlackInput):
    """Webhook at /webhooks/slack/webhook, like Rasa's own connector."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def get_output_channel(
        self, channel: Optional[Text] = None, thread_id: Optional[Text] = None
    ) -> OutputChannel:
        bot = BlocksSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
        return wrap_output(bot, self.name())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(namespaced(self.name(), on_new_message, conversation_limiter()))
