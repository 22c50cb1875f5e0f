"""Which polite answer a message gets when the assistant can't help with it."""
from __future__ import annotations

from typing import Optional

from bot.text.guard import MessageKind, classify

BY_KIND = {
    MessageKind.EMPTY: "utter_empty_message",
    MessageKind.EMOJI_ONLY: "utter_emoji_only",
    MessageKind.MARKUP: "utter_markup_message",
    MessageKind.LONG: "utter_long_message",
    MessageKind.FOREIGN: "utter_other_language",
}


def fallback_response(intent: Optional[str], text: Optional[str]) -> str:
    """The response name for a message that ended in a fallback, out_of_scope or other_language."""
    if intent == "other_language":
        return "utter_other_language"
    kind = classify(text)
    if kind in BY_KIND:
        return BY_KIND[kind]
    if intent == "out_of_scope":
        return "utter_out_of_scope"
    return "utter_fallback"
