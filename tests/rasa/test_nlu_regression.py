"""Held-out NLU test set (tests/nlu/, never copied into data/nlu/)."""
import json
from pathlib import Path

import yaml

from bot import PROJECT_ROOT
from tests.rasa.conftest import rasa

TEST_SET = PROJECT_ROOT / "tests" / "nlu" / "test_nlu.yml"
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
                    yield normalise(line.strip()[2:])


def test_held_out_set_is_not_in_training_data():
    training = set()
    for path in (PROJECT_ROOT / "data" / "nlu").rglob("*.yml"):
        training |= set(examples(path))
    held_out = list(examples(TEST_SET))
    assert len(held_out) >= 120
    assert not training & set(held_out)


def test_intent_accuracy_on_held_out_set(model, tmp_path):
    out = tmp_path / "results"
    result = rasa(["test", "nlu", "--model", str(model), "--nlu", str(TEST_SET),
                   "--out", str(out), "--no-plot"], tmp_path / "rasa-test-nlu.log")
    assert result.returncode == 0, (tmp_path / "rasa-test-nlu.log").read_text()[-3000:]
    intents = json.loads((out / "intent_report.json").read_text())
    responses = json.loads((out / "response_selection_report.json").read_text())
    summary = {"intent_accuracy": intents["accuracy"],
               "intent_macro_f1": intents["macro avg"]["f1-score"],
               "response_accuracy": responses["accuracy"],
               "response_macro_f1": responses["macro avg"]["f1-score"]}
    (PROJECT_ROOT / "results").mkdir(exist_ok=True)
    (PROJECT_ROOT / "results" / "nlu-held-out.json").write_text(json.dumps(summary, indent=2))
    print(summary)
    assert intents["accuracy"] >= MIN_INTENT_ACCURACY, summary
    assert responses["accuracy"] >= MIN_RESPONSE_ACCURACY, summary
