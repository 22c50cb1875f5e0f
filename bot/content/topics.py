"""Choosing which programme topic answers a question."""

from __future__ import annotations

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
) -> bool:
    """Whether to ask which topic is meant: the selector is not confident and the message
    names no single topic (then "Bedoel je ...?" with the likeliest topics)."""
    selected = topic_from_response_key(response_key)
    if selected in programme.topics and confidence >= min_confidence:
        return False
    return len({t for t in mentioned if t in programme.topics}) != 1
