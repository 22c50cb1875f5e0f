"""Which polite answer a message gets when the assistant can't help with it."""

from __future__ import annotations

from typing import Optional

from bot import names
from bot.text.guard import MessageKind, classify

BY_GUARD = {"too_long": MessageKind.LONG, "markup": MessageKind.MARKUP}

BY_KIND = {
    MessageKind.EMPTY: names.UTTER_EMPTY_MESSAGE,
    MessageKind.EMOJI_ONLY: names.UTTER_EMOJI_ONLY,
    MessageKind.MARKUP: names.UTTER_MARKUP_MESSAGE,
    MessageKind.LONG: names.UTTER_LONG_MESSAGE,
    MessageKind.FOREIGN: names.UTTER_OTHER_LANGUAGE,
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
    if intent == names.OTHER_LANGUAGE or (
        intent == names.NLU_FALLBACK and runner_up == names.OTHER_LANGUAGE
    ):
        return names.UTTER_OTHER_LANGUAGE
    kind = BY_GUARD.get(guard or "") or classify(text)
    if kind in BY_KIND:
        return BY_KIND[kind]
    if intent == names.OUT_OF_SCOPE:
        return names.UTTER_OUT_OF_SCOPE
    return names.UTTER_FALLBACK
