"""Rasa's Facebook Messenger connector with replies that fit Messenger's limits.

Messenger's button template takes at most 3 buttons with titles of at most 20
characters; Rasa's connector drops all buttons when there are more. Here the
buttons become quick replies (at most 13); titles that are too long are shortened
and the full options are added to the text as a numbered list.

Security: only `X-Hub-Signature-256` (HMAC-SHA256 of the body with the App Secret) is
accepted, compared in constant time; a request without a valid one gets 403.
Conversation ids are "facebook:<page-scoped user id>".
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger, MessengerBot, MessengerClient
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.formatting import fit_buttons, plain_text
from bot.channels.namespacing import conversation_limiter, namespaced, wrap_output
from bot.channels.rich import public_url, reply_in
from bot.replies import render

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Hub-Signature-256"


def signature_valid(secret: Optional[str], body: bytes, header: Optional[str]) -> bool:
    """True when `header` is "sha256=<hex HMAC-SHA256 of body with secret>"."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256=") :].encode(), expected.encode())


MAX_QUICK_REPLIES = 13
MAX_TITLE_CHARS = 20


class FittingMessengerBot(MessengerBot):
    """Plain text (Messenger shows Markdown symbols as they are) and quick replies."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, plain_text(text), **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        text, replies = fit_buttons(text, buttons, MAX_QUICK_REPLIES, MAX_TITLE_CHARS)
        replies = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in replies
        ]
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

    def get_output_channel(self) -> OutputChannel:
        return wrap_output(FittingMessengerBot(MessengerClient(self.fb_access_token)), self.name())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = namespaced(self.name(), on_new_message, conversation_limiter())

        async def handler(message: UserMessage) -> None:
            if type(message.output_channel) is MessengerBot:
                message.output_channel = FittingMessengerBot(
                    message.output_channel.messenger_client
                )
            await on_new_message(message)

        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if self.fb_verify and hmac.compare_digest(token, self.fb_verify):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("Facebook: wrong verify token")
            return response.text("failure, invalid token", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not signature_valid(
                self.fb_secret, request.body, request.headers.get(SIGNATURE_HEADER)
            ):
                logger.warning("Facebook: missing or wrong X-Hub-Signature-256, refused")
                return response.text("invalid signature", status=403)
            body = request.json
            if not isinstance(body, dict):
                return response.text("expected a JSON object", status=400)
            messenger = Messenger(self.fb_access_token, handler)
            await messenger.handle(body, self.get_metadata(request))
            return response.text("success")

        return fb_webhook
