"""Rasa's REST channel with input checks: bad requests get a 4xx, never a 500."""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request

from bot.settings import Settings

MAX_MESSAGE_CHARS = Settings.from_env().max_message_chars
MAX_SENDER_CHARS = 200


def validate_body(body: Any, max_chars: int = MAX_MESSAGE_CHARS) -> Dict[str, Any]:
    """Check a webhook body; raise a 4xx for anything the assistant can't take."""
    if not isinstance(body, dict):
        raise InvalidUsage("Send a JSON object like {\"sender\": \"id\", \"message\": \"tekst\"}.")
    sender = body.get("sender")
    if sender is not None and (not isinstance(sender, str) or len(sender) > MAX_SENDER_CHARS):
        raise InvalidUsage(f"'sender' must be a string of at most {MAX_SENDER_CHARS} characters.")
    message = body.get("message")
    if message is not None and not isinstance(message, str):
        raise InvalidUsage("'message' must be a string.")
    if message is not None and len(message) > max_chars:
        raise PayloadTooLarge(f"'message' is longer than {max_chars} characters.")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidUsage("'metadata' must be a JSON object.")
    return body


class SafeRestInput(RestInput):
    """The REST channel at /webhooks/rest/webhook, answering bad input with a 4xx."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        # Called first by RestInput's webhook handler: validate the whole body here.
        # An unparsable body makes sanic raise InvalidUsage (400) in `req.json`.
        return validate_body(req.json).get("sender", None)

    def _extract_input_channel(self, req: Request) -> Text:
        # Clients may not pose as another channel.
        return self.name()
