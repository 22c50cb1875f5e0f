"""Classify messages the NLU can't make sense of: empty, emoji only, markup, very long, foreign."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from functools import lru_cache
from typing import Optional

# What the NLU reads of a message (and where "a long message" starts); the one source of this
# limit: MessageGuard (config.yml) uses it as its default. Channels accept up to
# Settings.max_message_chars (MAX_MESSAGE_CHARS) and keep the whole text in the tracker.
NLU_MAX_CHARS = 1000
# Every pattern here runs in linear time: no two unbounded repeats can match the same
# characters, and `[^<>]*` stops at the next "<", so a tag search never rescans text.
_TAG = re.compile(r"<\s*(?:/\s*)?[a-zA-Z][^<>]*>")
_CODE_OPEN = re.compile(r"<\s*(script|style)\b", re.IGNORECASE)
_CODE_CLOSE = {
    name: re.compile(rf"<\s*/\s*{name}\s*>", re.IGNORECASE) for name in ("script", "style")
}


class MessageKind(str, Enum):
    EMPTY = "empty"
    EMOJI_ONLY = "emoji_only"
    MARKUP = "markup"
    LONG = "long"
    FOREIGN = "foreign"
    UNCLEAR = "unclear"


def _without_code_blocks(text: str) -> str:
    """The text without script and style blocks (an unclosed block runs to the end).

    One forward scan: each search starts where the previous one ended.
    """
    parts, pos = [], 0
    while True:
        opening = _CODE_OPEN.search(text, pos)
        if opening is None:
            parts.append(text[pos:])
            break
        parts.append(text[pos : opening.start()])
        parts.append(" ")
        closing = _CODE_CLOSE[opening.group(1).lower()].search(text, opening.end())
        if closing is None:
            break
        pos = closing.end()
    return "".join(parts)


def strip_markup(text: str) -> str:
    """The text without HTML tags and without the content of script and style blocks."""
    return _TAG.sub(" ", _without_code_blocks(text))


def has_letters_or_digits(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def contains_markup(text: str) -> bool:
    return bool(_TAG.search(text))


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.DUTCH,
        Language.ENGLISH,
        Language.GERMAN,
        Language.FRENCH,
        Language.SPANISH,
        Language.ITALIAN,
        Language.PORTUGUESE,
        Language.TURKISH,
        Language.POLISH,
        Language.ARABIC,
    ]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


# Words only Dutch has among the detector's languages: a message with one of them is Dutch
# whatever the detector says of its other words ("wat is impactdays" is not English).
DUTCH_ONLY_WORDS = frozenset(
    """het een wat welke welk waar hoe waarom wanneer ik jij jullie wij we zij niet ook mee aan
    van voor naar bij zijn deden doen heeft hebben kun kunnen mag moet wil graag niets iets
    daar nog maar dus sociale sociaal ondernemers ondernemer gemeente bedrijf bedrijven zoek
    zoeken opdrachten inkoop nummer meer over uit ons onze mijn jouw uw deze nee neen dank
    bedankt alstublieft uitleg prettig alvast ziens nou dan""".split()  # noqa: SIM905
)  # not "wie", "die", "ja", "hier" (German), "je", "dit", "met" (French), "al" (Spanish)
_WORD = re.compile(r"[^\W\d_]+")
# English names the programme itself uses: they say nothing about the user's language.
PROGRAMME_ENGLISH_WORDS = frozenset(
    "the impact days social return enterprise buy meet buyer live online learning makers zone".split()  # noqa: SIM905, E501
)


def _mostly_other_script(text: str) -> bool:
    """More than half of the letters are not Latin (Cyrillic, Greek, Arabic, CJK, ...)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    return latin * 2 < len(letters)


def foreign_language(text: str, min_words: int = 3, min_confidence: float = 0.9) -> Optional[str]:
    """The ISO 639-1 code of a clearly non-Dutch message of a few words ("xx" for another
    script the detector doesn't know), else None.

    The detector runs in low-accuracy mode (about 20 MB instead of 200 MB); its confidence
    for Dutch-like gibberish stays below 0.9, so that is the bar, and a message with a word
    only Dutch has is Dutch. Linear in the length of the text.
    """
    words = _WORD.findall(text.lower())
    if len(words) < min_words:
        return None
    if _mostly_other_script(text):
        values = _detector().compute_language_confidence_values(text)
        if values and values[0].value >= min_confidence:
            return str(values[0].language.iso_code_639_1.name.lower())
        return "xx"
    if any(word in DUTCH_ONLY_WORDS for word in words):
        return None
    own = [word for word in words if word not in PROGRAMME_ENGLISH_WORDS]
    if len(own) < min_words or len(own) * 2 <= len(words):
        return None  # mostly the programme's own English names ("wie organiseert the impact days")
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return None
    top = values[0]
    if top.language.name == "DUTCH" or top.value < min_confidence:
        return None
    return top.language.iso_code_639_1.name.lower()


def classify(text: Optional[str]) -> MessageKind:
    """What kind of message the fallback is answering.

    The checks read only the first NLU_MAX_CHARS characters (cut first, then checked).
    """
    text = (text or "").strip()
    if not text:
        return MessageKind.EMPTY
    head = text[:NLU_MAX_CHARS]
    if not has_letters_or_digits(head):
        return MessageKind.EMOJI_ONLY
    if contains_markup(head):
        return MessageKind.MARKUP
    if len(text) > NLU_MAX_CHARS:
        return MessageKind.LONG
    if foreign_language(head):
        return MessageKind.FOREIGN
    return MessageKind.UNCLEAR
