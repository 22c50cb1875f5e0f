"""Rasa's Telegram connector with plain text, vertical buttons and a settable API URL.

`api_base_url` (env TELEGRAM_API_BASE_URL) points aiogram at another Bot API server:
a self-hosted one, or the tests' stand-in. Default: https://api.telegram.org.

Security: the webhook is registered with a `secret_token` (env TELEGRAM_SECRET_TOKEN,
required); Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token` with every update,
and requests to /webhook and /set_webhook without it get 403. Conversation ids are
"telegram:<chat id>".
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.formatting import plain_text
from bot.channels.namespacing import conversation_limiter, namespaced, wrap_output
from bot.channels.rich import public_url, reply_in
from bot.replies import render

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

DEFAULT_API_BASE_URL = "https://api.telegram.org"
MAX_CALLBACK_DATA_BYTES = 64  # Telegram's limit for an inline button's payload


class TelegramOutput(RasaTelegramOutput):
    """Plain text (Telegram shows Markdown symbols as they are without parse_mode)."""

    def __init__(self, access_token: Optional[Text], api_base_url: Optional[Text] = None) -> None:
        Bot.__init__(
            self,
            access_token,
            server=TelegramAPIServer.from_base(api_base_url or DEFAULT_API_BASE_URL),
        )

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, plain_text(text), **kwargs)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """A result list: short text and inline buttons (a link and "Meer hierover" each)."""
        reply = reply_in(message)
        if reply is None:
            await super().send_response(recipient_id, message)
            return
        text, rows = render.telegram(reply, public_url())
        markup = InlineKeyboardMarkup()
        for row in rows:
            markup.row(*[InlineKeyboardButton(**button) for button in row])
        await self.send_message(recipient_id, text, reply_markup=markup)

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        button_type: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        """One button per row (the Dutch titles are long).

        Inline buttons carry the payload (at most 64 bytes); when a payload is longer,
        a reply keyboard sends the title as the user's text instead.
        """
        text = plain_text(text)
        if all(len(str(b.get("payload", "")).encode()) <= MAX_CALLBACK_DATA_BYTES for b in buttons):
            markup = InlineKeyboardMarkup()
            for b in buttons:
                markup.row(InlineKeyboardButton(plain_text(b["title"]), callback_data=b["payload"]))
        else:
            markup = ReplyKeyboardMarkup(resize_keyboard=True, one_time_keyboard=True)
            for b in buttons:
                markup.add(KeyboardButton(plain_text(b["title"])))
        await self.send_message(recipient_id, text, reply_markup=markup)


class TelegramInput(RasaTelegramInput):
    """Webhook at /webhooks/telegram/webhook, like Rasa's own connector."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None  # raise_missing_credentials_exception() never returns
        if not credentials.get("secret_token"):
            raise ValueError(
                "Telegram: set TELEGRAM_SECRET_TOKEN (a random string of "
                "letters, digits, _ and -); without it updates can't be verified."
            )
        channel = cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
        )
        channel.api_base_url = credentials.get("api_base_url") or DEFAULT_API_BASE_URL
        channel.secret_token = credentials["secret_token"]
        return channel

    api_base_url: Text = DEFAULT_API_BASE_URL
    secret_token: Text = ""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(
            namespaced(self.name(), on_new_message, conversation_limiter())
        )

        @blueprint.middleware("request")
        async def check_secret(request: Request):
            path = request.path.rstrip("/")
            if path.endswith(("/webhook", "/set_webhook")):
                given = request.headers.get(SECRET_HEADER, "")
                if not (self.secret_token and hmac.compare_digest(given, self.secret_token)):
                    logger.warning("Telegram webhook: missing or wrong secret token, refused")
                    return response.text("forbidden", status=403)
            if path.endswith("/set_webhook"):  # Rasa's route would drop the secret token
                bot = TelegramOutput(self.access_token, self.api_base_url)
                try:
                    await self.register_webhook(bot)
                finally:
                    await bot.close()
                return response.text("Webhook setup successful")
            return None

        return blueprint

    async def register_webhook(self, bot: Bot) -> None:
        """setWebhook with the secret token (aiogram 2.15's set_webhook() has none)."""
        await bot.request(
            "setWebhook", {"url": self.webhook_url, "secret_token": self.secret_token}
        )

    def get_output_channel(self) -> TelegramOutput:
        channel = TelegramOutput(self.access_token, self.api_base_url)

        async def set_webhook() -> None:
            # Rasa 3.6 leaves aiogram's HTTP session bound to this short-lived loop, so
            # every update later fails with "Event loop is closed". Closing it here makes
            # aiogram open a new session in the server's loop on first use.
            try:
                await self.register_webhook(channel)
            finally:
                await channel.close()

        try:
            asyncio.run(set_webhook())
        except TelegramAPIError as error:
            raise RasaException("Failed to set channel webhook: " + str(error)) from error
        return wrap_output(channel, self.name())
