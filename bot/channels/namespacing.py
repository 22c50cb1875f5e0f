"""Namespaced conversation ids for Rasa channels (see bot/channels/ids.py).

`namespaced(channel, on_new_message)` prefixes the sender of every incoming message with its
channel and wraps the output channel in `NativeIdOutput`, which takes the prefix off again
before a reply goes out, so the channel's own output code sends to the platform's id.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.ids import conversation_id, native_id
from bot.limits import RateLimiter

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class NativeIdOutput(OutputChannel):
    """An output channel that sends to the channel's own id of a namespaced conversation."""

    def __init__(self, inner: OutputChannel, channel: Text) -> None:
        self.inner = inner
        self.channel = channel

    def name(self) -> Text:  # the wrapped channel's name
        return self.inner.name()

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await self.inner.send_response(native_id(self.channel, recipient_id), message)

    def __getattr__(self, item: str) -> Any:
        return getattr(self.inner, item)


def wrap_output(output: OutputChannel, channel: Text) -> OutputChannel:
    if output is None or isinstance(output, NativeIdOutput):
        return output
    return NativeIdOutput(output, channel)


def namespaced(
    channel: Text, on_new_message: OnNewMessage, limiter: Optional[RateLimiter] = None
) -> OnNewMessage:
    """`on_new_message` for messages whose sender id is the platform's own id.

    With a `limiter`, messages over a conversation's limit are dropped without a reply
    (on SMS and WhatsApp every reply costs money; the platform's sender is verified).
    """

    async def handler(message: UserMessage) -> Any:
        message.sender_id = conversation_id(channel, message.sender_id)
        message.output_channel = wrap_output(message.output_channel, channel)
        if limiter is not None and not limiter.allow(message.sender_id):
            logger.info("%s: rate limit reached, message dropped", channel)
            return None
        return await on_new_message(message)

    return handler


def conversation_limiter() -> RateLimiter:
    """The per-conversation limit of the messaging channels (RATE_LIMIT_CONVERSATION), counted
    in the shared counters (Redis with LOCK_STORE=redis: the same count on every replica)."""
    from bot.counters import shared_counters
    from bot.settings import Settings

    settings = Settings.from_env()
    return RateLimiter(
        settings.rate_limit_conversation, counters=shared_counters(settings), prefix="channel"
    )
