"""A typed answer to the buttons of the bot's last question: "de tweede", "nummer 1", or (part
of) a button's title, is taken as a click on that button. Pure Python: no Rasa imports.

People do not always click. After "Bedoel je een van deze? [Inkopen bij impactondernemers]
[Opdrachten zoeken voor mijn bedrijf] [Iets anders]" they type "opdrachten" or "de tweede"; the
intent classifier alone has no idea what "de tweede" refers to. The Rasa seam is a pinned patch
of `MessageProcessor.parse_message` (bot/rasa_patches.py) that parses the chosen payload
instead; the tracker keeps what the user typed.

Only short answers count (a full sentence is a new message, classified as usual), a title must
match one button and no other, and ordinals only refer to a question's choices, not to a list of
search results (those are "details of the second result").
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Mapping, Optional, Sequence

from rapidfuzz import fuzz

from bot import names
from bot.catalog.ordinals import LAST, parse_ordinal

MAX_WORDS = 6
MAX_ORDINAL_WORDS = 4
TITLE_SCORE = 88
# Words that say nothing about which button is meant.
FILLER = frozenset(
    [
        "de",
        "het",
        "een",
        "die",
        "dat",
        "deze",
        "dit",
        "ik",
        "wil",
        "graag",
        "doe",
        "maar",
        "dan",
        "is",
        "van",
        "voor",
        "mijn",
        "met",
        "en",
        "of",
        "op",
        "in",
        "aan",
        "om",
        "te",
        "naar",
        "ja",
        "nee",
        "nou",
        "oke",
        "ok",
    ]
)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _content(text: str) -> List[str]:
    return [w for w in _normalize(text).split() if w not in FILLER and len(w) >= 3]


# At a yes/no question ("Mag ik je doorverbinden? [Ja] [Nee]"), a short answer that starts with a
# clear yes or no is that button: "akkoord, stuur die mail maar", "ja, verbind me maar door" (the
# classifier reads the rest as a new request for a person).
YES_STARTS = frozenset(
    [
        "ja",
        "jawel",
        "jazeker",
        "akkoord",
        "prima",
        "goed",
        "oke",
        "ok",
        "okay",
        "zeker",
        "graag",
        "yes",
        "jep",
        "top",
        "allee",
        "uiteraard",
    ]
)
NO_STARTS = frozenset(["nee", "neen", "nope"])
AFFIRM, DENY = names.payload(names.AFFIRM), names.payload(names.DENY)


def choose(text: str, buttons: Sequence[Mapping[str, Any]], ordinals: bool = True) -> Optional[str]:
    """The payload of the button `text` picks, or None (then it is an ordinary message)."""
    if not text or text.lstrip().startswith("/") or len(buttons) < 2:
        return None
    words = _normalize(text).split()
    if not words or len(words) > MAX_WORDS:
        return None
    payloads = [str(b.get("payload") or "") for b in buttons]
    if AFFIRM in payloads and DENY in payloads:
        if words[0] in YES_STARTS and "niet" not in words and "geen" not in words:
            return AFFIRM
        if words[0] in NO_STARTS:
            return DENY
    titles = [str(b.get("title") or "") for b in buttons]
    if ordinals and len(words) <= MAX_ORDINAL_WORDS:
        position = parse_ordinal(" ".join(words))
        if position is not None:
            index = len(buttons) - 1 if position == LAST else position - 1
            return payloads[index] if 0 <= index < len(buttons) else None
    said = _content(text)
    if not said:
        return None
    scores = []
    for title in titles:
        title_words = _content(title)
        if not title_words:
            scores.append(0.0)
            continue
        # Every content word typed is (nearly) a word of the title.
        per_word = [max(fuzz.ratio(word, candidate) for candidate in title_words) for word in said]
        scores.append(min(per_word))
    best = max(scores)
    if best < TITLE_SCORE or sum(1 for s in scores if s >= TITLE_SCORE) != 1:
        return None
    return payloads[scores.index(best)]


def last_question_buttons(events: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """The buttons of the bot's messages since the user's last message, and whether those
    messages showed search results (then ordinals mean results, not buttons)."""
    buttons: List[Mapping[str, Any]] = []
    results = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            break
        if kind == "bot":
            data = event.get("data") or {}
            buttons = list(data.get("buttons") or []) + buttons
            results = results or bool(data.get("custom") or data.get("attachment"))
    return {"buttons": buttons, "results": results}
