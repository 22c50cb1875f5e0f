"""Dutch ordinals in follow-ups: "vertel meer over de tweede", "nummer 3", "de laatste"."""

from __future__ import annotations

import re
from typing import Optional

LAST = -1
ORDINALS = {
    "eerste": 1,
    "tweede": 2,
    "derde": 3,
    "vierde": 4,
    "vijfde": 5,
    "zesde": 6,
    "zevende": 7,
    "achtste": 8,
    "negende": 9,
    "tiende": 10,
    "laatste": LAST,
}
CARDINALS = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
}
_WORD = re.compile(r"[a-zé]+")
_NUMBERED = re.compile(r"\b(?:nummer|nr|no|optie)\.?\s*([a-zé]+)\b")
_DIGITS = re.compile(r"(?<![\d,.:])(\d{1,3})(?:e|ste|de)?\b(?![:.,]\d)")


def parse_ordinal(text: str) -> Optional[int]:
    """The position a user refers to (1-based), LAST (-1) for "de laatste", or None."""
    lowered = text.lower()
    for word in _WORD.findall(lowered):
        if word in ORDINALS:
            return ORDINALS[word]
    numbered = _NUMBERED.search(lowered)
    if numbered and numbered.group(1) in CARDINALS:
        return CARDINALS[numbered.group(1)]
    digits = _DIGITS.search(lowered)
    if digits and int(digits.group(1)) >= 1:
        return int(digits.group(1))
    return None
