"""Result replies (bot/replies) in the output channels: find them in a Rasa bot message.

An action sends a result list as text, buttons and a custom payload. Rasa's
`OutputChannel.send_response` would send the text and then the payload as two messages;
the channels of this package instead render the payload once, in their own format.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from bot.replies.model import Reply
from bot.settings import Settings


def reply_in(message: Dict[str, Any]) -> Optional[Reply]:
    """The result reply in a bot message, or None for any other message."""
    return Reply.from_custom(message.get("custom"))


def public_url() -> str:
    """The assistant's public address, for calendar links in messaging channels ('' if unset)."""
    return Settings.from_env().public_url
