"""Messages the intent classifier was unsure about (nlu_fallback) whose meaning is clear anyway.

A programme question, while the topic selector is sure:

"Mijn schoonmaakbedrijf wil op de prestatieladder, wat is de eerste stap?" splits the intent
classifier between a programme question and a search (it names a trade), so the
FallbackClassifier turns it into nlu_fallback; the response selector, trained on programme
questions only, is 0.83 sure it is about PSO. When the selector is at least
MIN_TOPIC_CONFIDENCE sure and the programme question is among the classifier's two likeliest
intents, the message is read as that programme question.

A search that names a category: "kunnen we iets drukken voor de gemeente?" splits the classifier
between searching offers and opportunities, but it names drukwerk (a `categorie` entity); when a
search is among the two likeliest intents, the message is read as that search. Pure Python.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, List, Mapping, Optional, Tuple

from bot import names

MIN_TOPIC_CONFIDENCE = 0.75
TOP_INTENTS = 2


def rescued_faq(
    intent_ranking: Iterable[Mapping[str, Any]], selector: Optional[Mapping[str, Any]]
) -> bool:
    """Whether a fallback message should be read as a programme question (see above)."""
    response = ((selector or {}).get(names.FAQ) or {}).get("response") or {}
    if float(response.get("confidence") or 0.0) < MIN_TOPIC_CONFIDENCE:
        return False
    likeliest = [r.get("name") for r in intent_ranking if r.get("name") != names.NLU_FALLBACK]
    return names.FAQ in likeliest[:TOP_INTENTS]


SEARCH_INTENTS = (names.SEARCH_OFFERS, names.SEARCH_OPPORTUNITIES, names.SEARCH_EVENTS)
SEARCH_ENTITIES = frozenset(["categorie", "soort"])


def rescued_search(
    intent_ranking: Iterable[Mapping[str, Any]], entities: Iterable[Mapping[str, Any]]
) -> Optional[str]:
    """The search intent a fallback message that names a category is read as, or None."""
    if not any(e.get("entity") in SEARCH_ENTITIES for e in entities):
        return None
    likeliest: List[Any] = [
        r.get("name") for r in intent_ranking if r.get("name") != names.NLU_FALLBACK
    ]
    return next((i for i in likeliest[:TOP_INTENTS] if i in SEARCH_INTENTS), None)


# "heb ik als inkoper iets aan de Impact Days?": a question that names a programme topic, read
# as `inform` (the role words look like an answer to "who are you?").
_QUESTION = re.compile(
    r"\?|^\s*(?:wie|wat|hoe|waarom|wanneer|welke?|waar|moet|moeten|mag|mogen|kan|kunnen|is|zijn|"
    r"heeft|hebben|geldt|telt)\b",
    re.IGNORECASE,
)
MIN_NAMED_TOPIC_CONFIDENCE = 0.6


def question_about_named_topic(
    text: str, entities: Iterable[Mapping[str, Any]], selector: Optional[Mapping[str, Any]]
) -> bool:
    """Whether an `inform` message is a question about the topic it names (the topic selector
    agrees with the `onderwerp` entity, at least MIN_NAMED_TOPIC_CONFIDENCE sure)."""
    entities = list(entities)
    if any(e.get("entity") == "categorie" for e in entities) or not _QUESTION.search(text or ""):
        return False
    response = ((selector or {}).get(names.FAQ) or {}).get("response") or {}
    key = str(response.get("intent_response_key") or "")
    topic = key.split("/", 1)[1] if "/" in key else None
    named = {e.get("value") for e in entities if e.get("entity") == "onderwerp"}
    return topic in named and float(response.get("confidence") or 0.0) >= MIN_NAMED_TOPIC_CONFIDENCE


# "Hoe kan ik meedoen met het inkoopplatform?": joining, not what the platform is.
_JOIN = re.compile(
    r"\b(?:meedoen|mee\s+doen|aansluiten|aanmelden|inschrijven|registreren|lid\s+worden|"
    r"op\s+(?:het|dat|jullie)\s+(?:inkoop)?platform\s+(?:komen|staan|zetten)|"
    r"account|profiel\s+aanmaken)\b",
    re.IGNORECASE,
)


def joins_platform(text: str, selector: Optional[Mapping[str, Any]]) -> bool:
    """Whether a programme question about the purchasing platform asks how to join it."""
    response = ((selector or {}).get(names.FAQ) or {}).get("response") or {}
    return (
        response.get("intent_response_key") == f"{names.FAQ}/inkoopplatform"
        and _JOIN.search(text or "") is not None
    )


# "mijn hoveniersbedrijf wil op de prestatieladder, hoe begin ik?": a trade named, but the
# question is about PSO. A search intent gives way to the topic the message names when the
# selector agrees, and nothing asks for offers or assignments.
_SEARCH_NOUNS = re.compile(
    r"\b(?:opdracht\w*|aanbod|aanbieder\w*|leverancier\w*|tender\w*|aanbested\w*|inkoopvra\w*|"
    r"uitvra\w*|bedrijven|ondernemingen|evenement\w*|bijeenkomst\w*|workshops?|agenda|zoek\w*|"
    r"gezocht|nodig)\b",
    re.IGNORECASE,
)
# Topics whose words are part of how searches are phrased ("een sociale onderneming die ...")
# or that are events; they never overrule a search.
EVENT_TOPICS = frozenset(["impact_days", "lol", "congres", "sociaal_ondernemen", "programma"])


def topic_over_search(
    intent: Optional[str],
    text: str,
    entities: Iterable[Mapping[str, Any]],
    selector: Optional[Mapping[str, Any]],
) -> bool:
    """Whether a search message is really a programme question about the topic it names."""
    if intent not in (names.SEARCH_OFFERS, names.SEARCH_OPPORTUNITIES):
        return False
    if _SEARCH_NOUNS.search(text or ""):
        return False
    response = ((selector or {}).get(names.FAQ) or {}).get("response") or {}
    key = str(response.get("intent_response_key") or "")
    topic = key.split("/", 1)[1] if "/" in key else None
    named = {e.get("value") for e in entities if e.get("entity") == "onderwerp"}
    return (
        topic in named
        and topic not in EVENT_TOPICS
        and float(response.get("confidence") or 0.0) >= MIN_TOPIC_CONFIDENCE
    )


def _topic_confidence(selector: Optional[Mapping[str, Any]]) -> float:
    response = ((selector or {}).get(names.FAQ) or {}).get("response") or {}
    return float(response.get("confidence") or 0.0)


def rescue(
    intent: Optional[str],
    text: str,
    entities: Iterable[Mapping[str, Any]],
    intent_ranking: Iterable[Mapping[str, Any]],
    selector: Optional[Mapping[str, Any]],
) -> Optional[Tuple[str, float]]:
    """The intent (and its confidence) a message is read as instead of `intent`, or None:
    the rules above, in order."""
    entities, ranking = list(entities), list(intent_ranking)
    if intent == names.NLU_FALLBACK and rescued_faq(ranking, selector):
        return names.FAQ, _topic_confidence(selector)
    if topic_over_search(intent, text, entities, selector):
        return names.FAQ, _topic_confidence(selector)
    if intent == names.FAQ and joins_platform(text, selector):
        return names.JOIN_PLATFORM, 1.0
    if intent == names.INFORM and question_about_named_topic(text, entities, selector):
        return names.FAQ, _topic_confidence(selector)
    if intent == names.NLU_FALLBACK:
        search = rescued_search(ranking, entities)
        if search:
            scores = {r.get("name"): float(r.get("confidence") or 0.0) for r in ranking}
            return search, scores.get(search, 0.0)
    return None
