"""Held-out NLU test set (tests/nlu/, never copied into data/nlu/)."""
import json
import re
from pathlib import Path

import yaml

from bot import PROJECT_ROOT
from tests.rasa.conftest import rasa

TEST_DIR = PROJECT_ROOT / "tests" / "nlu"
TEST_FILES = sorted(TEST_DIR.glob("*.yml"))
MIN_INTENT_ACCURACY = 0.90
MIN_RESPONSE_ACCURACY = 0.85


def normalise(text: str) -> str:
    return " ".join(text.lower().split()).strip(" ?!.,")


def examples(path: Path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in doc.get("nlu", []):
        if "intent" in item:
            for line in item["examples"].splitlines():
                if line.strip().startswith("- "):
                    yield normalise(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:]))


def test_held_out_set_is_not_in_training_data():
    training = set()
    for path in (PROJECT_ROOT / "data" / "nlu").rglob("*.yml"):
        training |= set(examples(path))
    held_out = [e for path in TEST_FILES for e in examples(path)]
    assert len(held_out) >= 120
    assert not training & set(held_out)


def test_intent_accuracy_on_held_out_set(model, tmp_path):
    out = tmp_path / "results"
    result = rasa(["test", "nlu", "--model", str(model), "--nlu", str(TEST_DIR),
                   "--out", str(out), "--no-plot"], tmp_path / "rasa-test-nlu.log")
    assert result.returncode == 0, (tmp_path / "rasa-test-nlu.log").read_text()[-3000:]
    intents = json.loads((out / "intent_report.json").read_text())
    responses = json.loads((out / "response_selection_report.json").read_text())
    summary = {"sentences": intents["weighted avg"]["support"],
               "intent_accuracy": intents["accuracy"],
               "intent_macro_f1": intents["macro avg"]["f1-score"],
               "response_accuracy": responses["accuracy"],
               "response_macro_f1": responses["macro avg"]["f1-score"],
               "per_intent_f1": {name: round(v["f1-score"], 3) for name, v in intents.items()
                                 if isinstance(v, dict) and "f1-score" in v
                                 and name not in ("macro avg", "weighted avg", "micro avg")}}
    (out / "nlu-held-out.json").write_text(json.dumps(summary, indent=2))
    print(summary)
    assert intents["accuracy"] >= MIN_INTENT_ACCURACY, summary
    assert responses["accuracy"] >= MIN_RESPONSE_ACCURACY, summary
