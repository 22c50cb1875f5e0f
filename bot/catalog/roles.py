"""Who is asking: a buyer, an entrepreneur who wants to sell, or someone joining the platform.

Pure Python. The NLU gives an intent; the words of the message can contradict it ("ik wil
leverancier worden van de gemeente" is not a buyer looking for suppliers). When the intent and the
words disagree, the assistant asks instead of guessing. Also: the word someone used for a category
the catalogue does not have ("ruimteraketten"), so the reply can say so honestly.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Tuple

from rapidfuzz import fuzz, process

from bot import names
from bot.catalog.matching import STOPWORDS, normalize, resolve, vocabulary
from bot.text.clarify import SOMETHING_ELSE

BUYER, SELLER, JOINER = "inkoper", "ondernemer", "platform"

# Words that show someone wants to sell to the municipality or find opportunities.
SELLER_CUES = (
    "leverancier worden",
    "leverancier van de gemeente",
    "leveren aan de gemeente",
    "aan de gemeente leveren",
    "aan de gemeente verkopen",
    "verkopen aan de gemeente",
    "voor de gemeente werken",
    "werken voor de gemeente",
    "klant worden",
    "zaken doen met de gemeente",
    "opdrachten van de gemeente",
    "opdrachten voor mijn",
    "opdracht voor mijn",
    "inschrijven op",
    "aanbesteding",
    "tender",
    "inkoopvraag",
    "inkoopvragen",
    "meedingen",
    "ik kan leveren",
    "wij kunnen leveren",
    "wil mijn diensten",
    "mijn producten verkopen",
)
# Words that show someone wants to buy from impact entrepreneurs.
BUYER_CUES = (
    "wil inkopen",
    "willen inkopen",
    "wij zoeken",
    "we zoeken",
    "ik zoek een",
    "wie levert",
    "welke bedrijven",
    "bestellen",
    "laten maken",
    "inhuren",
    "als inkoper",
    "afnemen",
)
JOINER_CUES = (
    "op het platform",
    "op het inkoopplatform",
    "lid worden",
    "account aanmaken",
    "registreren op",
    "aanmelden op",
    "aansluiten bij het",
)

ROLE_QUESTION = (
    "Wil je inkopen bij impactondernemers, of wil je zelf iets verkopen aan de "
    "gemeente? Kies wat bij je past."
)

# Words around a search that never name a category ("ik zoek een leverancier voor ...").
SEARCH_WORDS = frozenset(
    [
        "zoek",
        "zoeken",
        "gezocht",
        "nodig",
        "hebben",
        "levert",
        "leveren",
        "leverancier",
        "leveranciers",
        "bedrijf",
        "bedrijven",
        "bedrijfje",
        "ondernemer",
        "ondernemers",
        "onderneming",
        "ondernemingen",
        "impactondernemer",
        "impactondernemers",
        "sociale",
        "sociaal",
        "opdracht",
        "opdrachten",
        "inkoopvraag",
        "inkoopvragen",
        "aanbieder",
        "aanbieders",
        "partij",
        "partijen",
        "iemand",
        "mensen",
        "kantoor",
        "team",
        "organisatie",
        "gemeente",
        "haarlem",
        "graag",
        "liefst",
    ]
)  # noqa: SIM905 (a word list, like matching.STOPWORDS)
UNKNOWN_TERM = re.compile(
    r"\b(?:zoek(?:en)?|nodig|categorie|voor|levert|leveren|van)\s+(?:naar\s+)?"
    r"(?:een\s+|de\s+|het\s+|ons\s+|onze\s+)?(\w{5,})"
)
# Words of a search sentence that are not what is bought or sold (the second pass below).
GENERIC_WORDS = frozenset(
    [
        "aanbesteding",
        "aanbestedingen",
        "tenders",
        "gemeentelijke",
        "kennemerland",
        "woningcorporatie",
        "woningcorporaties",
        "corporatie",
        "corporaties",
        "inkoper",
        "inkopers",
        "inkopen",
        "diensten",
        "producten",
        "product",
        "mogelijkheden",
        "mogelijk",
        "verkopen",
        "zakelijke",
        "stichting",
        "bedrijfje",
        "ondernemen",
        "werkzaam",
        "eigenlijk",
        "misschien",
        "ongeveer",
        "opdrachtgever",
        "opdrachtgevers",
        "klanten",
        "leveren",
        "aanbieden",
        "bieden",
        "aanbod",
        "vinden",
        "zoeken",
        "hebben",
        "kunnen",
        "willen",
        "zouden",
        "jullie",
        "welke",
        "waar",
        "gemeenten",
        "omgeving",
        "regio",
        "haarlemse",
        "lokale",
        "duurzame",
        "duurzaam",
        "inclusief",
        "inclusieve",
        "circulair",
        "circulaire",
        "impact",
        "social",
        "enterprise",
        # what a service is for or where, not the service itself
        "huurwoningen",
        "woningen",
        "huurders",
        "bewoners",
        "portiekflats",
        "panden",
        "gebouwen",
        "kantoren",
        "locaties",
        "complexen",
        "wijken",
        "buurten",
    ]
)
MIN_UNKNOWN = 7  # letters of a word that, unrecognised, is taken for a product or service
SIMILAR = 75  # rapidfuzz ratio for "Bedoel je ...?" suggestions of an unknown category word


def _has(text: str, cues: Iterable[str]) -> bool:
    return any(cue in text for cue in cues)


# "wij kuisen kantoren, zijn er uitvragen van de stad?": asking about opportunities in so many
# words. The classifier's search_offers is then overruled without asking.
_OPPORTUNITY_QUESTION = re.compile(
    r"\b(?:zijn\s+(?:er|daar)|is\s+(?:er|daar)|heeft\s+de\s+(?:gemeente|stad)|hebben\s+jullie|zoekt\s+de\s+"
    r"(?:gemeente|stad)|komen\s+er)\b[^?.!]{0,40}?(?:opdrachten|opdracht|uitvragen|uitvraag|"
    r"aanbestedingen|aanbesteding|tenders|tender|inkoopvragen|inkoopvraag)\b"
    r"|\b(?:opdrachten|uitvragen|aanbestedingen|tenders|inkoopvragen)\s+(?:van|bij|vanuit)\s+"
    r"(?:de\s+)?(?:gemeente|stad)\b"
)


def clear_role(intent: str, text: str) -> str:
    """The search intent the words make clear: search_opportunities for a message that asks
    for opportunities in so many words (and has no buyer's words); else `intent`."""
    lowered = " ".join((text or "").lower().split())[:2000]
    if (
        intent == names.SEARCH_OFFERS
        and _OPPORTUNITY_QUESTION.search(lowered)
        and not _has(lowered, BUYER_CUES)
    ):
        return names.SEARCH_OPPORTUNITIES
    return intent


def role_conflict(intent: str, text: str) -> bool:
    """Whether the words contradict the search intent (then ask who is asking)."""
    lowered = " ".join((text or "").lower().split())
    if intent == names.SEARCH_OFFERS:
        return _has(lowered, SELLER_CUES) and not _has(lowered, BUYER_CUES)
    if intent == names.SEARCH_OPPORTUNITIES:
        return _has(lowered, BUYER_CUES) and not _has(lowered, SELLER_CUES)
    return False


def role_choices(categorie: Optional[str] = None) -> List[Tuple[str, str]]:
    """Buttons for the role question; a category named in the message is carried along."""
    carried = {"categorie": categorie} if categorie else {}
    return [
        ("Ik wil inkopen bij impactondernemers", names.payload(names.SEARCH_OFFERS, **carried)),
        (
            "Ik zoek opdrachten voor mijn bedrijf",
            names.payload(names.SEARCH_OPPORTUNITIES, **carried),
        ),
        ("Ik wil op het inkoopplatform", names.payload(names.JOIN_PLATFORM)),
    ]


def unknown_category_word(text: str, options) -> Optional[str]:
    """The word someone used for a category that is not in the catalogue, if any."""
    clean = normalize(text or "")
    for match in UNKNOWN_TERM.finditer(clean):
        word = match.group(1)
        if word in STOPWORDS or word in SEARCH_WORDS or word in GENERIC_WORDS or word.isdigit():
            continue
        if resolve(word, options) is None:
            return word
    # "Wij bouwen ruimteraketten": a long word that is no category, no search word.
    for word in clean.split():
        if (
            len(word) >= MIN_UNKNOWN
            and word not in STOPWORDS
            and word not in SEARCH_WORDS
            and word not in GENERIC_WORDS
            and not word.isdigit()
            and resolve(word, options) is None
        ):
            return word
    return None


def similar_categories(word: str, options, n: int = 3) -> List[str]:
    """Category ids with a word that looks a lot like ``word`` (strong evidence only)."""
    vocab = vocabulary(options)
    found: List[str] = []
    for _, _score, index in process.extract(
        normalize(word), vocab.choices, scorer=fuzz.ratio, limit=None, score_cutoff=SIMILAR
    ):
        key = vocab.choice_ids[index]
        if key not in found:
            found.append(key)
    return found[:n]


def ask_role(categorie: Optional[str] = None):
    """The question "inkopen of verkopen?" as a search reply."""
    from bot.catalog.replies import Reply

    return Reply(ROLE_QUESTION, role_choices(categorie))


def unknown_category(word: str, state, catalog):
    """ "Ik vond geen categorie 'x'." with near categories ("Bedoel je ...?") or all of them."""
    from bot.catalog.replies import Reply, ask_category, inform_payload

    options = list(catalog.categories.values())
    near = [c for c in similar_categories(word, options) if c in catalog.categories]
    head = f"Ik vond geen categorie '{word}'."
    if near:
        buttons = [(catalog.categories[c].naam, inform_payload(categorie=c)) for c in near]
        buttons.append((SOMETHING_ELSE, names.payload(names.DENY)))
        return Reply(f"{head} Bedoel je een van deze?", buttons)
    question = ask_category(state, catalog)
    buttons = [*question.buttons, ("Medewerker spreken", names.payload(names.REQUEST_HUMAN))]
    return Reply(f"{head} {question.text}", buttons)
