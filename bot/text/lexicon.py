"""Dutch word forms and their lemmas, from spacy-lookups-data (installed, never downloaded).

Two uses in matching words to categories:
- a word the lexicon knows is a real Dutch word, not a typo: "tussen" is not a slip for "tassen",
  "plaatsen" not for "plantsoen";
- a verb form maps to its lemma: "gemaaid" -> "maaien", "drukt" -> "drukken".

Loaded once per process on first use (about 0.5 s and 40 MB), only by code that matches
free text; nothing is loaded at import.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources
from typing import Dict, Optional

_PACKAGE = "spacy_lookups_data.data"
MIN_LENGTH = 3


@lru_cache(maxsize=1)
def _table() -> Dict[str, str]:
    """Every known lower-case word form -> its lemma (a lemma maps to itself)."""
    lookup = _read("nl_lemma_lookup.json.gz")
    index = _read("nl_lemma_index.json.gz")
    table: Dict[str, str] = {}
    for words in index.values():
        for word in words:
            if len(word) >= MIN_LENGTH and word.isalpha():
                table[word] = word
    for form, lemma in lookup.items():
        form = form.lower()
        if len(form) >= MIN_LENGTH and form.isalpha():
            table[form] = lemma.lower()
            table.setdefault(lemma.lower(), lemma.lower())
    return table


def _read(name: str) -> dict:
    with (
        resources.files(_PACKAGE).joinpath(name).open("rb") as raw,
        gzip.open(raw, "rt", encoding="utf-8") as text,
    ):
        return json.load(text)


def is_known(word: str) -> bool:
    """Whether `word` (lower case) is a Dutch word form the lexicon knows."""
    return word in _table()


def lemma(word: str) -> Optional[str]:
    """The lemma of `word` (lower case) when it differs from the word, else None."""
    found = _table().get(word)
    return found if found and found != word else None
