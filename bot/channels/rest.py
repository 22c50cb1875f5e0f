"""Rasa's REST channel with input checks and flood protection.

- Bad requests get a 4xx, never a 500: the body must be a JSON object with a string
  `message` of at most MAX_MESSAGE_CHARS characters and a small `metadata` object.
- The conversation id is "rest:" + `sender` (a random one when the body has none), so a
  REST client can't reach another channel's conversations (bot/channels/ids.py).
- At most RATE_LIMIT_CONVERSATION messages per conversation and RATE_LIMIT_ADDRESS per
  client address per minute; more get HTTP 429 with a polite Dutch reply.
- The user's text is never logged; a failure is logged with its traceback and answered
  in Dutch.
- Only the plain JSON answer (Rasa's `?stream=true` is not offered).
- A sender id is not a secret, yet whoever posts as a sender gets that conversation's replies
  (also an employee's, bot/handoff/relay.py). So with REST_TOKEN set, every message needs
  `Authorization: Bearer <REST_TOKEN>` (compared in constant time), else 401: REST is for a
  trusted back end, not for browsers. With TRACKER_STORE=postgresql (production) and no
  REST_TOKEN the channel is off (403). The website widget uses Socket.IO with server-signed
  session tokens (bot/channels/socketio.py), not REST.
"""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.ids import conversation_id
from bot.counters import shared_counters
from bot.limits import FloodGuard
from bot.settings import Settings
from bot.text.notices import SOMETHING_WENT_WRONG, TOO_MANY_MESSAGES

logger = logging.getLogger(__name__)

_SETTINGS = Settings.from_env()
MAX_MESSAGE_CHARS = _SETTINGS.max_message_chars
MAX_METADATA_BYTES = _SETTINGS.max_metadata_bytes
MAX_SENDER_CHARS = 200


def validate_body(
    body: Any, max_chars: int = MAX_MESSAGE_CHARS, max_metadata_bytes: int = MAX_METADATA_BYTES
) -> Dict[str, Any]:
    """Check a webhook body; raise a 4xx for anything the assistant can't take."""
    if not isinstance(body, dict):
        raise InvalidUsage('Send a JSON object like {"sender": "id", "message": "tekst"}.')
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
    if metadata and len(json.dumps(metadata, ensure_ascii=False).encode()) > max_metadata_bytes:
        raise PayloadTooLarge(f"'metadata' is larger than {max_metadata_bytes} bytes.")
    return body


def client_address(request: Request) -> Optional[str]:
    """The client's address: forwarded by a trusted proxy (TRUSTED_PROXIES) or the peer's."""
    return request.remote_addr or request.ip or None


def flood_guard(settings: Optional[Settings] = None) -> FloodGuard:
    """The flood limits, counted in the shared counters (Redis with LOCK_STORE=redis)."""
    settings = settings or Settings.from_env()
    return FloodGuard.create(
        settings.rate_limit_conversation,
        settings.rate_limit_address,
        settings.rate_limit_exempt.split(","),
        counters=shared_counters(settings),
    )


REST_OFF = (
    "The REST channel is off: with TRACKER_STORE=postgresql it needs REST_TOKEN "
    "(send Authorization: Bearer <REST_TOKEN>)."
)


def rest_refusal(settings: Settings, authorization: Optional[str]) -> Optional[HTTPResponse]:
    """A 401/403 response when this request may not use the REST channel, else None."""
    token = settings.rest_token
    if not token:
        if settings.tracker_store == "postgresql":
            return response.json({"error": REST_OFF}, status=403)
        return None
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        return response.json(
            {"error": "Send Authorization: Bearer <REST_TOKEN>."},
            status=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return None


def _reply(sender: Text, text: Text) -> List[Dict[str, Any]]:
    return [{"recipient_id": sender, "text": text}]


class SafeRestInput(InputChannel):
    """The REST channel at /webhooks/rest/webhook (same request and answer as Rasa's)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("custom_webhook_SafeRestInput", __name__)
        settings = Settings.from_env()
        guard = flood_guard(settings)
        if settings.tracker_store == "postgresql" and not settings.rest_token:
            logger.warning("REST channel off: TRACKER_STORE=postgresql without REST_TOKEN")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refusal = rest_refusal(settings, request.headers.get("authorization"))
            if refusal is not None:
                return refusal
            # An unparsable body makes sanic raise InvalidUsage (400) in `request.json`.
            body = validate_body(request.json)
            sender = body.get("sender") or uuid.uuid4().hex
            conversation = conversation_id(self.name(), sender)
            if not guard.allow(conversation, client_address(request)):
                logger.info("REST: rate limit reached, message refused")
                return response.json(
                    _reply(sender, TOO_MANY_MESSAGES), status=429, headers={"Retry-After": "60"}
                )
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        body.get("message"),
                        collector,
                        conversation,
                        input_channel=self.name(),
                        metadata=body.get("metadata"),
                    )
                )
            except Exception:
                logger.exception("REST: the message could not be handled")
                if not collector.messages:
                    return response.json(_reply(sender, SOMETHING_WENT_WRONG))
            return response.json([{**m, "recipient_id": sender} for m in collector.messages])

        return webhook
