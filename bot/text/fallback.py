"""Which polite answer a message gets when the assistant can't help with it."""
from __future__ import annotations

from typing import Optional

from bot.text.guard import MessageKind, classify

BY_GUARD = {"too_long": MessageKind.LONG, "markup": MessageKind.MARKUP}

BY_KIND = {
    MessageKind.EMPTY: "utter_empty_message",
    MessageKind.EMOJI_ONLY: "utter_emoji_only",
    MessageKind.MARKUP: "utter_markup_message",
    MessageKind.LONG: "utter_long_message",
    MessageKind.FOREIGN: "utter_other_language",
}


def fallback_response(
    intent: Optional[str],
    text: Optional[str],
    guard: Optional[str] = None,
    runner_up: Optional[str] = None,
) -> str:
    """The response name for a message that ended in a fallback, out_of_scope or other_language.

    ``guard`` is what the NLU's MessageGuard noted ("too_long", "markup"); ``runner_up`` is the
    best intent under nlu_fallback in the ranking.
    """
    if intent == "other_language" or (intent == "nlu_fallback" and runner_up == "other_language"):
        return "utter_other_language"
    kind = BY_GUARD.get(guard or "") or classify(text)
    if kind in BY_KIND:
        return BY_KIND[kind]
    if intent == "out_of_scope":
        return "utter_out_of_scope"
    return "utter_fallback"
