"""Held-out NLU test set (tests/nlu/, never copied into data/nlu/)."""

import json
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
from rapidfuzz import fuzz, process

from bot import PROJECT_ROOT

# The held-out sets and their reading: bot/devtools/nlu_data.py (bench/nlu_eval.py uses them too).
from bot.devtools.nlu_data import TEST_DIR, TEST_FILES, labelled_examples, normalise  # noqa: E402,F401

# Measured figures minus a margin (docs/nlu-pipeline.md).
# Measured 2026-11-28 (evening): 0.969, 0.962, 1.000; topics 1.000 and 0.963 (docs/nlu-pipeline.md).
MIN_INTENT_ACCURACY = {
    "test_nlu.yml": 0.95,
    "test_nlu_angle2.yml": 0.95,
    "test_search_entities.yml": 0.93,
}
MIN_RESPONSE_ACCURACY = 0.92


NEAR_DUPLICATE_RATIO = 94  # rapidfuzz fuzz.ratio on normalised text, same intent label


def examples(path: Path) -> Iterator[str]:
    for _, text in labelled_examples(path):
        yield text


def training_examples() -> List[Tuple[str, str]]:
    return [
        e
        for path in sorted((PROJECT_ROOT / "data" / "nlu").rglob("*.yml"))
        for e in labelled_examples(path)
    ]


def near_duplicates(
    held_out: List[Tuple[str, str]],
    training: List[Tuple[str, str]],
    ratio: float = NEAR_DUPLICATE_RATIO,
) -> List[Tuple[str, str, str, float]]:
    """(intent, held-out text, training text, ratio) for each pair with the same intent."""
    if not held_out or not training:
        return []
    scores = process.cdist(
        [t for _, t in held_out],
        [t for _, t in training],
        scorer=fuzz.ratio,
        score_cutoff=ratio,
        workers=1,
    )
    pairs = []
    for i, j in zip(*scores.nonzero(), strict=True):
        if held_out[i][0] == training[j][0]:
            pairs.append((held_out[i][0], held_out[i][1], training[j][1], float(scores[i, j])))
    return pairs


def test_near_duplicate_check_catches_spelling_variants():
    held_out = [("faq/pso", "hoe krijg ik een pso-certificaat"), ("greet", "goedemorgen")]
    training = [("faq/pso", "hoe krijg ik een pso certificaat"), ("faq/lol", "goedemorgen")]
    pairs = near_duplicates(held_out, training)
    assert [(p[0], p[1]) for p in pairs] == [("faq/pso", "hoe krijg ik een pso-certificaat")]


def test_held_out_set_is_not_in_training_data():
    training = set(e for _, e in training_examples())
    held_out = [e for path in TEST_FILES for e in examples(path)]
    assert len(held_out) >= 120
    assert not training & set(held_out)


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_held_out_set_has_no_near_duplicates_of_training_data(path):
    pairs = near_duplicates(list(labelled_examples(path)), training_examples())
    assert not pairs, "\n".join(f"{i}: {a!r} ~ {b!r} ({r:.0f})" for i, a, b, r in pairs)


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_intent_accuracy_on_held_out_set(model, path, tmp_path):
    from bench.nlu_eval import parse_all, score

    examples = list(labelled_examples(path))
    result = score(examples, parse_all(model, [text for _, text in examples]))
    summary = {k: v for k, v in result.items() if k not in ("rows", "errors")}
    (tmp_path / f"nlu-held-out-{path.stem}.json").write_text(json.dumps(result, indent=1))
    print(path.name, summary)
    assert result["intent_accuracy"] >= MIN_INTENT_ACCURACY[path.name], summary
    if result["faq_sentences"]:
        assert result["faq_accuracy"] >= MIN_RESPONSE_ACCURACY, summary


def blind_texts() -> List[Tuple[str, str]]:
    """Every message and conversation turn of the blind sets (tests/eval/blind/), 3+ words."""
    import yaml

    texts = []
    for path in sorted((PROJECT_ROOT / "tests" / "eval" / "blind").glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in doc.get("messages") or []:
            texts.append(item["text"])
        for conversation in doc.get("conversations") or []:
            texts += [turn["user"] for turn in conversation["turns"]]
    names = category_names()
    return [
        ("blind", normalise(t)) for t in texts if len(t.split()) >= 3 and normalise(t) not in names
    ]


def category_names() -> set:
    """The programme's category names ("zorg en welzijn"): vocabulary a blind writer was given,
    trained on by design (data/nlu/generated/), not a sentence copied from a blind set."""
    import yaml

    doc = yaml.safe_load((PROJECT_ROOT / "data/programme/categorieen.yml").read_text("utf-8"))
    return {normalise(c["naam"]) for c in doc["categorieen"]}


def test_no_training_example_is_a_near_duplicate_of_a_blind_sentence():
    """The blind sets are never trained on: no training example comes close to one of their
    sentences, whatever its intent (fuzz.ratio >= 90 on normalised text)."""
    blind = blind_texts()
    assert len(blind) >= 600
    training = [("blind", text) for _, text in training_examples()]
    pairs = near_duplicates(blind, training, ratio=90)
    assert not pairs, "\n".join(f"{a!r} ~ {b!r} ({r:.0f})" for _, a, b, r in pairs)
