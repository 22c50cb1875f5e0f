"""Rasa's Facebook Messenger connector with replies that fit Messenger's limits.

Messenger's button template takes at most 3 buttons with titles of at most 20
characters; Rasa's connector drops all buttons when there are more. Here the
buttons become quick replies (at most 13); titles that are too long are shortened
and the full options are added to the text as a numbered list.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import MessengerBot
from sanic import Blueprint

from bot.channels.formatting import fit_buttons, plain_text
from bot.channels.rich import public_url, reply_in
from bot.replies import render

MAX_QUICK_REPLIES = 13
MAX_TITLE_CHARS = 20


class FittingMessengerBot(MessengerBot):
    """Plain text (Messenger shows Markdown symbols as they are) and quick replies."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, plain_text(text), **kwargs)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        text, replies = fit_buttons(text, buttons, MAX_QUICK_REPLIES, MAX_TITLE_CHARS)
        replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]}
                   for b in replies]
        await self.send_quick_replies(recipient_id, text, replies)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """A result list: a generic template (a card per result) and quick replies."""
        reply = reply_in(message)
        if reply is None:
            await super().send_response(recipient_id, message)
            return
        for part in render.messenger(reply, public_url()):
            self.messenger_client.send(part, recipient_id, "RESPONSE")


class FacebookInput(RasaFacebookInput):
    """Webhook at /webhooks/facebook/webhook, like Rasa's own connector."""

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        async def handler(message: UserMessage) -> None:
            if type(message.output_channel) is MessengerBot:
                message.output_channel = FittingMessengerBot(
                    message.output_channel.messenger_client)
            await on_new_message(message)

        return super().blueprint(handler)
