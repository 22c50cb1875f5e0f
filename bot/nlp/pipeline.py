"""Build the project's Dutch spaCy pipeline from spacy.blank('nl').

Components: the Dutch tokenizer, lookup lemmas from spacy-lookups-data, and an
EntityRuler whose patterns come from the programme data. Rasa's SpacyNLP loads the
saved directory by path at run time (the model archive does not contain it).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import List

BUILDER_VERSION = "2"
PIPELINE_NAME = "impact_haarlem"


def fingerprint(patterns: List[dict]) -> str:
    """A hash of everything that determines the pipeline's content."""
    import spacy

    payload = json.dumps(
        {"builder": BUILDER_VERSION, "spacy": spacy.__version__, "patterns": patterns},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def is_current(out_dir: Path, patterns: List[dict]) -> bool:
    meta = out_dir / "meta.json"
    if not meta.exists():
        return False
    recorded = json.loads(meta.read_text()).get("impact_haarlem", {}).get("fingerprint")
    return recorded == fingerprint(patterns)


def lemma_patterns(nlp, patterns: List[dict]) -> List[dict]:
    """Token patterns on lemmas, so inflected forms match too ("webinars" -> "webinar")."""
    extra = []
    for pattern in patterns:
        lemmas = [t.lemma_ for t in nlp(pattern["pattern"])]
        extra.append({**pattern, "pattern": [{"LEMMA": lemma} for lemma in lemmas]})
    return extra


def build(out_dir: Path, patterns: List[dict]) -> Path:
    """Create and save the pipeline; returns the directory it was saved to."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    by_lemma = lemma_patterns(nlp, patterns)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns + by_lemma)  # type: ignore[attr-defined]
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Dutch pipeline of the Impact Ondernemen assistant (generated)"
    nlp.meta["impact_haarlem"] = {"fingerprint": fingerprint(patterns)}
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    return out_dir
