"""Classify messages the NLU can't make sense of: empty, emoji only, markup, very long, foreign."""
from __future__ import annotations

import re
import unicodedata
from enum import Enum
from functools import lru_cache
from typing import Optional

LONG_MESSAGE_CHARS = 1000
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_CODE_BLOCK = re.compile(r"<\s*(script|style)\b.*?(<\s*/\s*\1\s*>|$)", re.IGNORECASE | re.DOTALL)


class MessageKind(str, Enum):
    EMPTY = "empty"
    EMOJI_ONLY = "emoji_only"
    MARKUP = "markup"
    LONG = "long"
    FOREIGN = "foreign"
    UNCLEAR = "unclear"


def strip_markup(text: str) -> str:
    """The text without HTML tags and without the content of script and style blocks."""
    return _TAG.sub(" ", _CODE_BLOCK.sub(" ", text))


def has_letters_or_digits(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def contains_markup(text: str) -> bool:
    return bool(_TAG.search(text))


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.DUTCH, Language.ENGLISH, Language.GERMAN, Language.FRENCH,
        Language.SPANISH, Language.TURKISH, Language.POLISH, Language.ARABIC,
    ]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def foreign_language(text: str, min_words: int = 3, min_confidence: float = 0.9) -> Optional[str]:
    """The ISO 639-1 code of a clearly non-Dutch message of a few words, else None.

    The detector runs in low-accuracy mode (about 20 MB instead of 200 MB); its confidence
    for Dutch-like gibberish stays below 0.9, so that is the bar.
    """
    if len(text.split()) < min_words:
        return None
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return None
    top = values[0]
    if top.language.name == "DUTCH" or top.value < min_confidence:
        return None
    return top.language.iso_code_639_1.name.lower()


def classify(text: Optional[str]) -> MessageKind:
    """What kind of message the fallback is answering."""
    text = (text or "").strip()
    if not text:
        return MessageKind.EMPTY
    if not has_letters_or_digits(text):
        return MessageKind.EMOJI_ONLY
    if contains_markup(text):
        return MessageKind.MARKUP
    if len(text) > LONG_MESSAGE_CHARS:
        return MessageKind.LONG
    if foreign_language(text):
        return MessageKind.FOREIGN
    return MessageKind.UNCLEAR
