"""Entity vocabulary generated from the programme data: EntityRuler patterns, synonyms, lookups.

Labels: `onderwerp` (programme topics), `categorie`, `soort` (event kinds), `impact` (from
data/programme/categorieen.yml) and `locatie` (online or in Haarlem). A new category or synonym in
the data becomes a pattern, a synonym and a lookup entry after `make run` rebuilds and retrains.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional

from bot.catalog.loader import Catalog
from bot.catalog.matching import NamedTerm
from bot.catalog.words import ON_SITE_WORDS, ONLINE_WORDS
from bot.content.loader import Programme

TOPIC_LABEL = "onderwerp"
LOCATION_TERMS: Dict[str, List[str]] = {
    "online": list(ONLINE_WORDS),
    "haarlem": [*ON_SITE_WORDS, "live in haarlem"],
}
CATALOG_LABELS = ("categorie", "soort", "impact")


def _terms(entries: Iterable[NamedTerm]) -> Dict[str, List[str]]:
    terms: Dict[str, List[str]] = {}
    for entry in entries:
        words = {entry.id.replace("_", " "), entry.naam.lower()} | set(entry.synoniemen)
        terms[entry.id] = sorted(w for w in words if w)
    return terms


def topic_terms(programme: Programme) -> Dict[str, List[str]]:
    """Every topic id with the lower-cased terms people use for it (the id included)."""
    terms: Dict[str, List[str]] = {}
    for topic in programme.topics.values():
        words = {topic.id.replace("_", " ")} | {t.lower() for t in topic.termen}
        terms[topic.id] = sorted(w for w in words if w)
    return terms


def vocabularies(
    programme: Programme, catalog: Optional[Catalog] = None
) -> Dict[str, Dict[str, List[str]]]:
    """Entity label -> {canonical value: [surface forms]}."""
    vocab = {TOPIC_LABEL: topic_terms(programme)}
    if catalog is not None:
        vocab["categorie"] = _terms(catalog.categories.values())
        vocab["soort"] = _terms(catalog.event_kinds.values())
        vocab["impact"] = _terms(catalog.impact_kinds.values())
        vocab["locatie"] = {k: sorted(v) for k, v in LOCATION_TERMS.items()}
    return vocab


def entity_patterns(programme: Programme, catalog: Optional[Catalog] = None) -> List[dict]:
    """Phrase patterns for spaCy's EntityRuler (matched on the LOWER attribute).

    A phrase that names a programme topic stays a topic ("impact days" is both a topic and an
    event kind); the search actions find event kinds in the text themselves.
    """
    patterns: List[dict] = []
    seen = set()
    for label, values in vocabularies(programme, catalog).items():
        for value, words in values.items():
            for word in words:
                if word in seen:
                    continue
                seen.add(word)
                patterns.append({"label": label, "pattern": word, "id": value})
    return patterns


def synonyms(vocab: Mapping[str, Mapping[str, List[str]]]) -> Dict[str, List[str]]:
    """Canonical entity value -> the surface forms EntitySynonymMapper maps onto it."""
    merged: Dict[str, List[str]] = {}
    for values in vocab.values():
        for value, words in values.items():
            merged.setdefault(value, [])
            merged[value] += [w for w in words if w != value and w not in merged[value]]
    return merged
