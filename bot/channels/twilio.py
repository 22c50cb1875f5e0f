"""Rasa's Twilio connector (SMS and WhatsApp) with numbered choices.

SMS and WhatsApp have no buttons: the options are sent as "1. ... 2. ..." and an
answer "1" is turned into the first option's payload. Also:
- TWILIO_WHATSAPP_NUMBER: replies to "whatsapp:" senders come from this number,
  so SMS and WhatsApp can run side by side;
- TWILIO_WEBHOOK_URL (required): the X-Twilio-Signature of each request is checked
  against it; a request without a valid signature gets 403;
- conversation ids are "twilio:" + the sender ("twilio:+316...", "twilio:whatsapp:+316...");
- TWILIO_API_BASE_URL: another API host (the tests' stand-in); default Twilio's.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput
from rasa.core.channels.twilio import TwilioOutput as RasaTwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator

from bot.channels.formatting import ChoiceMemory, numbered_choices, plain_text
from bot.channels.namespacing import conversation_limiter, namespaced, wrap_output
from bot.channels.rich import reply_in
from bot.replies import render

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.twilio.com"
WHATSAPP_PREFIX = "whatsapp:"


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends the requests for api.twilio.com to another base URL."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):
        if url.startswith(DEFAULT_API_BASE_URL):
            url = self.base_url + url[len(DEFAULT_API_BASE_URL) :]
        return super().request(method, url, *args, **kwargs)


class TwilioOutput(RasaTwilioOutput):
    """Plain text, numbered choices, and the right sender number per channel."""

    def __init__(
        self,
        account_sid: Optional[Text],
        auth_token: Optional[Text],
        twilio_number: Optional[Text],
        whatsapp_number: Optional[Text] = None,
        memory: Optional[ChoiceMemory] = None,
        api_base_url: Optional[Text] = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        self.whatsapp_number = whatsapp_number
        self.memory = memory or ChoiceMemory()
        if api_base_url and api_base_url.rstrip("/") != DEFAULT_API_BASE_URL:
            self.http_client = BaseUrlHttpClient(api_base_url)

    def _from(self, recipient_id: Text) -> Optional[Text]:
        if recipient_id.startswith(WHATSAPP_PREFIX) and self.whatsapp_number:
            number = self.whatsapp_number
            return number if number.startswith(WHATSAPP_PREFIX) else WHATSAPP_PREFIX + number
        return self.twilio_number

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        message = {"to": recipient_id, "from_": self._from(recipient_id)}
        for part in plain_text(text).strip().split("\n\n"):
            await self._send_message({**message, "body": part})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        self.memory.remember(recipient_id, buttons)
        await self.send_text_message(recipient_id, numbered_choices(text, buttons))

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """A result list: a compact numbered list, one link each; a number picks a result."""
        reply = reply_in(message)
        if reply is None:
            await super().send_response(recipient_id, message)
            return
        text, choices = render.numbered(reply)
        self.memory.remember(recipient_id, choices)
        await self.send_text_message(recipient_id, text)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send_message(
            {"to": recipient_id, "from_": self._from(recipient_id), "media_url": [image]}
        )

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        if not json_message.get("messaging_service_sid"):
            json_message.setdefault("from_", self._from(recipient_id))
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class TwilioInput(RasaTwilioInput):
    """Webhook at /webhooks/twilio/webhook, like Rasa's own connector."""

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None  # raise_missing_credentials_exception() never returns
        if not credentials.get("webhook_url") or not credentials.get("auth_token"):
            raise ValueError(
                "Twilio: set TWILIO_WEBHOOK_URL (the URL entered in Twilio) and "
                "TWILIO_AUTH_TOKEN; without them requests can't be verified."
            )
        channel = cls(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
        )
        channel.whatsapp_number = credentials.get("whatsapp_number")
        channel.webhook_url = credentials.get("webhook_url")
        channel.api_base_url = credentials.get("api_base_url")
        return channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.whatsapp_number: Optional[Text] = None
        self.webhook_url: Optional[Text] = None
        self.api_base_url: Optional[Text] = None
        self.memory = ChoiceMemory()

    def get_output_channel(self) -> OutputChannel:
        return wrap_output(
            TwilioOutput(
                self.account_sid,
                self.auth_token,
                self.twilio_number,
                self.whatsapp_number,
                self.memory,
                self.api_base_url,
            ),
            self.name(),
        )

    def _signature_ok(self, request: Request) -> bool:
        if not self.webhook_url or not self.auth_token:
            return False
        params = {key: values[0] for key, values in request.form.items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        return RequestValidator(self.auth_token or "").validate(self.webhook_url, params, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = Blueprint("twilio_webhook", __name__)
        on_new_message = namespaced(self.name(), on_new_message, conversation_limiter())

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self._signature_ok(request):
                logger.warning("Twilio webhook: invalid X-Twilio-Signature, request refused")
                return response.text("invalid signature", status=403)
            sender = request.form.get("From")
            text = request.form.get("Body")
            if self._is_location_message(request):
                text = "/locationData{{'Latitude': {lat},'Longitude': {long}}}".format(
                    lat=request.form.get("Latitude"), long=request.form.get("Longitude")
                )
            if not sender or text is None:
                logger.debug("Twilio webhook: message without sender or text")
                return response.text("", status=204)
            # @ signs get corrupted in SMSes by some carriers
            text = text.replace("¡", "@")
            payload = self.memory.resolve(sender, text)
            self.memory.forget(sender)
            try:
                await on_new_message(
                    UserMessage(
                        payload or text,
                        self.get_output_channel(),
                        sender,
                        input_channel=self.name(),
                        metadata=self.get_metadata(request),
                    )
                )
            except Exception:
                logger.exception("Twilio: the message could not be handled")
                if self.debug_mode:
                    raise
            return response.text("", status=204)

        return twilio_webhook
