"""One word or a vague wish ("inkoop", "ik wil meedoen", "duurzaam"): ask what is meant.

Such a message fits several things the assistant does (buying from impact entrepreneurs,
finding assignments, the purchasing platform, the programme itself), and a classifier still
picks one, often confidently. A short message whose only content words are words like these is
answered with the likeliest meanings as choices instead (bot/text/clarify.py). Pure Python.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable, List, Mapping, Optional

from bot import names

MAX_WORDS = 4
MAX_CONTENT_WORDS = 2
# Words that on their own say only "something about the programme".
VAGUE_WORDS = frozenset(
    [
        "inkoop",
        "inkopen",
        "inkoper",
        "inkopers",
        "duurzaam",
        "duurzaamheid",
        "meedoen",
        "deelnemen",
        "aansluiten",
        "impact",
        "impactondernemen",
        "ondernemen",
        "ondernemer",
        "ondernemers",
        "sociaal",
        "sociale",
        "informatie",
        "info",
        "samenwerken",
        "samenwerking",
        "kansen",
        "netwerk",
        "netwerken",
        "gemeente",
        "haarlem",
        "programma",
        "leveren",
        "zaken",
    ]
)
# Words that carry no content in such a message.
FILLER = frozenset(
    [
        "ik",
        "wil",
        "wij",
        "we",
        "willen",
        "graag",
        "ook",
        "een",
        "de",
        "het",
        "iets",
        "met",
        "over",
        "van",
        "voor",
        "doen",
        "mee",
        "kan",
        "kunnen",
        "hoe",
        "wat",
        "zit",
        "dat",
        "mbt",
        "m.b.t.",
        "bij",
        "jullie",
        "u",
        "je",
        "?",
        "en",
        "mijn",
        "ons",
        "onze",
    ]
)
# Intents for which a short message is clear by itself.
CLEAR_INTENTS = frozenset(
    [
        names.GREET,
        names.GOODBYE,
        names.THANK,
        names.AFFIRM,
        names.DENY,
        names.BOT_CHALLENGE,
        names.HELP,
        names.MORE,
        names.DETAIL,
        names.REQUEST_HUMAN,
        names.REQUEST_CONTACT,
        names.FRUSTRATION,
        names.OTHER_LANGUAGE,
        names.OUT_OF_SCOPE,
        names.INFORM,
    ]
)
# Entities that make a short message specific ("LOL", "catering", "workshops").
SPECIFIC_ENTITIES = frozenset(["onderwerp", "categorie", "soort", "resultaat"])


def _words(text: str) -> List[str]:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.findall(r"\w+", text)


def is_vague(
    text: Optional[str], intent: Optional[str], entities: Iterable[Mapping[str, Any]] = ()
) -> bool:
    """True for a short message whose only content words are vague ones (see above)."""
    if not text or text.lstrip().startswith("/") or intent in CLEAR_INTENTS:
        return False
    words = _words(text)
    if not words or len(words) > MAX_WORDS:
        return False
    if any(e.get("entity") in SPECIFIC_ENTITIES for e in entities):
        return False
    content = [w for w in words if w not in FILLER]
    return 0 < len(content) <= MAX_CONTENT_WORDS and all(w in VAGUE_WORDS for w in content)
