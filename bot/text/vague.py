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

from rapidfuzz.distance import Levenshtein

from bot import names
from bot.text.greeting import announces_only

MAX_WORDS = 4
MAX_CONTENT_WORDS = 2
MIN_TYPO_LENGTH = 5
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
        "ondersteuning",
        "steun",
        "hulp",
        "advies",
        "adviezen",
        "subsidie",
        "subsidies",
        "financiering",
        "verkopen",
        "verkoop",
        "kopen",
        "aankopen",
        "vraag",
        "vraagje",
        "vraagske",
        "vragen",
        "uitbreiden",
        "groeien",
        "groei",
        "starten",
        "beginnen",
        "maatschappelijk",
        "maatschappelijke",
        "duurzame",
        "aanmelden",
        "inschrijven",
        "mogelijkheden",
        "klus",
        "klusje",
        "klusjes",
        "klussen",
        "diversiteit",
        "inclusie",
        "inclusiviteit",
        "zakelijk",
        "zakelijke",
        "circulair",
        "circulariteit",
        "kansengelijkheid",
        "gelijkheid",
        "sociaals",
        "hergebruik",
    ]
)
# Vague words that also answer the assistant's question "are you buying or selling?": after
# such a question they are an answer (inform), not a vague wish.
ROLE_WORDS = frozenset(["inkoop", "inkopen", "inkoper", "inkopers", "ondernemer", "ondernemers"])
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
        "zou",
        "eens",
        "even",
        "ff",
        "nog",
        "hier",
        "hebben",
        "heb",
        "zoek",
        "zoeken",
        "meer",
        "aub",
        "pls",
        "please",
        "nodig",
        "krijgen",
        "ofzo",
        "enzo",
        "zaak",
        "bedrijf",
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
    if not text or text.lstrip().startswith("/"):
        return False
    if announces_only(text):
        return True  # "'k zit hier met een vraagske": which question, then?
    if intent in CLEAR_INTENTS:
        return False
    words = _words(text)
    if not words or len(words) > MAX_WORDS:
        return False
    if any(e.get("entity") in SPECIFIC_ENTITIES for e in entities):
        return False
    content = [w for w in words if w not in FILLER]
    if not 0 < len(content) <= MAX_CONTENT_WORDS:
        return False
    if intent == names.INFORM and any(w in ROLE_WORDS for w in content):
        return False
    return all(_vague_word(w) for w in content)


def _vague_word(word: str) -> bool:
    """A vague word, or one slip of the keyboard away from one ("verkopn", "advis")."""
    if word in VAGUE_WORDS:
        return True
    if len(word) < MIN_TYPO_LENGTH:
        return False
    return any(
        w[0] == word[0] and Levenshtein.distance(word, w, score_cutoff=1) <= 1
        for w in VAGUE_WORDS
        if abs(len(w) - len(word)) <= 1
    )
