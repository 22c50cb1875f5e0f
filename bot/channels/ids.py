"""Conversation ids: `<channel>:<the channel's own id of the user>`, one namespace per channel.

Every channel prefixes the id it gets from its platform, so no client can reach another
channel's conversations (a REST sender "whatsapp:+316..." becomes "rest:whatsapp:+316...").
The prefix tells which channel a conversation belongs to, so a reply can be sent back
there later (e.g. by the helpdesk): `split(conversation_id)` gives the channel name (as in
credentials and `UserMessage.input_channel`) and the id that channel's output expects.
No Rasa imports.
"""

from __future__ import annotations

from typing import Tuple

# Channel name -> prefix of its conversation ids (docs/channels.md has the table).
PREFIXES = {
    "rest": "rest",
    "socketio": "socketio",
    "telegram": "telegram",
    "twilio": "twilio",
    "facebook": "facebook",
    "slack": "slack",
}
SEPARATOR = ":"


def conversation_id(channel: str, native_id: object) -> str:
    """The conversation id of a user known to `channel` as `native_id`."""
    return f"{PREFIXES[channel]}{SEPARATOR}{native_id}"


def split(conversation: str) -> Tuple[str, str]:
    """(channel name, the channel's own id) of a conversation id; ValueError if unknown."""
    prefix, sep, native = conversation.partition(SEPARATOR)
    for channel, known in PREFIXES.items():
        if sep and prefix == known:
            return channel, native
    raise ValueError("not a namespaced conversation id")


def native_id(channel: str, conversation: str) -> str:
    """The channel's own id for a conversation of that channel (unprefixed ids pass as is)."""
    prefix = PREFIXES[channel] + SEPARATOR
    return conversation[len(prefix) :] if conversation.startswith(prefix) else conversation
