"""Entity vocabulary generated from the programme data: EntityRuler patterns and synonyms."""
from __future__ import annotations

from typing import Dict, List

from bot.content.loader import Programme

TOPIC_LABEL = "onderwerp"


def topic_terms(programme: Programme) -> Dict[str, List[str]]:
    """Every topic id with the lower-cased terms people use for it (the id included)."""
    terms: Dict[str, List[str]] = {}
    for topic in programme.topics.values():
        words = {topic.id.replace("_", " ")} | {t.lower() for t in topic.termen}
        terms[topic.id] = sorted(w for w in words if w)
    return terms


def entity_patterns(programme: Programme) -> List[dict]:
    """Phrase patterns for spaCy's EntityRuler (matched on the LOWER attribute)."""
    patterns = []
    for topic_id, words in topic_terms(programme).items():
        for word in words:
            patterns.append({"label": TOPIC_LABEL, "pattern": word, "id": topic_id})
    return patterns


def synonyms(programme: Programme) -> Dict[str, List[str]]:
    """Canonical entity value -> the surface forms EntitySynonymMapper maps onto it."""
    return {
        topic_id: [w for w in words if w != topic_id]
        for topic_id, words in topic_terms(programme).items()
    }
