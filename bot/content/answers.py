"""Dutch answer texts built from programme entries."""

from __future__ import annotations

from bot.content.schema import Topic

CONCEPT_NOTE = "Let op: niet alles hierover is openbaar bekend."


def first_link(topic: Topic) -> str:
    """The first source that is a web address, or an empty string."""
    for source in topic.bronnen:
        word = source.split()[0]
        if word.startswith("http"):
            return word
    return ""


def format_topic(topic: Topic) -> str:
    """The answer of a topic, with its source; concept entries say they are incomplete."""
    parts = [topic.antwoord]
    if topic.status == "concept":
        parts.append(CONCEPT_NOTE)
    elif topic.status == "voorbeeld":
        parts.append("Let op: dit is een voorbeeld, geen echte informatie.")
    link = first_link(topic)
    if link:
        parts.append(f"Bron: {link}")
    return "\n\n".join(parts)
