"""Choosing which programme topic answers a question."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from bot.content.loader import Programme

FAQ_PREFIX = "faq/"


def topic_from_response_key(key: Optional[str]) -> Optional[str]:
    """'faq/lol' -> 'lol'; anything else -> None."""
    if key and key.startswith(FAQ_PREFIX):
        return key[len(FAQ_PREFIX) :]
    return None


def choose_topic(
    programme: Programme,
    response_key: Optional[str],
    confidence: float,
    mentioned: Iterable[str],
    min_confidence: float = 0.5,
) -> Optional[str]:
    """Pick the topic to answer.

    The response selector's choice wins when it is confident. Otherwise a single
    topic named in the message (an `onderwerp` entity) wins. Failing both, the
    selector's choice is used if it is a known topic.
    """
    selected = topic_from_response_key(response_key)
    if selected in programme.topics and confidence >= min_confidence:
        return selected
    named = {t for t in mentioned if t in programme.topics}
    if len(named) == 1:
        return named.pop()
    if selected in programme.topics:
        return selected
    return None


def is_unsure(
    programme: Programme,
    response_key: Optional[str],
    confidence: float,
    mentioned: Iterable[str],
    min_confidence: float = 0.5,
    runner_up: float = 0.0,
) -> bool:
    """Whether to ask which topic is meant: the selector is not confident and the message
    names no single topic (then "Bedoel je ...?" with the likeliest topics).

    A topic below `min_confidence` that is still well ahead of the runner-up (at least
    LEAD_FACTOR times its confidence, and at least MIN_LEADING_CONFIDENCE) is answered: the
    answer then offers the runner-up as a button, one click from the other reading."""
    selected = topic_from_response_key(response_key)
    if selected in programme.topics and confidence >= min_confidence:
        return False
    if (
        selected in programme.topics
        and confidence >= MIN_LEADING_CONFIDENCE
        and confidence >= LEAD_FACTOR * runner_up
    ):
        return False
    return len({t for t in mentioned if t in programme.topics}) != 1


MIN_LEADING_CONFIDENCE = 0.25
LEAD_FACTOR = 1.8


def runner_up_confidence(ranking: Iterable[dict], response_key: Optional[str]) -> float:
    """The confidence of the best-ranked response other than `response_key`."""
    others = [
        float(r.get("confidence") or 0.0)
        for r in ranking
        if r.get("intent_response_key") != response_key
    ]
    return max(others, default=0.0)


# "En wie geeft die trainingen?", "geldt dat alleen voor Haarlem?": a question about what was
# just answered.
_FOLLOW_UP_START = re.compile(r"^\s*(?:en|maar|ook|dus|en dan|oh|o)\b", re.IGNORECASE)
_REFERS_BACK = re.compile(
    r"\b(?:die|dat|daar|daarvoor|daarmee|daarbij|daarover|daarna|dit|deze|hun|hen|hem|ze|zij|"
    r"ook|zo'n|zoiets)\b",
    re.IGNORECASE,
)
FOLLOW_UP_MAX_WORDS = 16
FOLLOW_UP_SWITCH = 0.6  # a follow-up moves to another topic only when the selector is this sure


def is_follow_up(text: Optional[str]) -> bool:
    """A short question that refers back to the previous answer."""
    if not text or len(text.split()) > FOLLOW_UP_MAX_WORDS:
        return False
    return bool(_FOLLOW_UP_START.search(text) or _REFERS_BACK.search(text))


def follow_up_topic(
    programme: Programme,
    previous: Optional[str],
    response_key: Optional[str],
    confidence: float,
    mentioned: Iterable[str],
) -> Optional[str]:
    """The topic a follow-up question is about: the previous answer's, unless the message names
    another topic or the selector is sure of another one; None when there is no previous one."""
    if previous not in programme.topics:
        return None
    named = {t for t in mentioned if t in programme.topics}
    if len(named) == 1 and previous not in named:
        return named.pop()
    selected = topic_from_response_key(response_key)
    if selected in programme.topics and selected != previous and confidence >= FOLLOW_UP_SWITCH:
        return selected
    return previous
