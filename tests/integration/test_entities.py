"""Entity extraction (the EntityRuler built from the data) on the held-out search sentences."""

import json
import re
from collections import Counter

import pytest
import requests
import yaml

from bot import PROJECT_ROOT
from tests.servers import TOKEN

pytestmark = pytest.mark.servers
HELD_OUT = PROJECT_ROOT / "tests" / "nlu" / "test_search_entities.yml"
ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")
MIN_MICRO_F1 = 0.8


def annotated_sentences():
    doc = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))
    for item in doc["nlu"]:
        for line in item["examples"].splitlines():
            line = line.strip()[2:]
            if not line:
                continue
            gold = {(label, span.lower()) for span, label in ANNOTATION.findall(line)}
            yield ANNOTATION.sub(r"\1", line), gold


def test_entity_precision_and_recall_per_label(rasa_server, tmp_path):
    tp, fp, fn = Counter(), Counter(), Counter()
    for text, gold in annotated_sentences():
        parsed = requests.post(
            f"{rasa_server.url}/model/parse",
            params={"token": TOKEN},
            json={"text": text},
            timeout=10,
        ).json()
        found = {
            (e["entity"], text[e["start"] : e["end"]].lower())
            for e in parsed["entities"]
            if e["entity"] != "onderwerp"
        }
        for label, _ in found & gold:
            tp[label] += 1
        for label, _ in found - gold:
            fp[label] += 1
        for label, _ in gold - found:
            fn[label] += 1
    report = {}
    for label in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        report[label] = {
            "precision": round(p, 3),
            "recall": round(r, 3),
            "support": tp[label] + fn[label],
        }
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro_f1 = 2 * total_tp / (2 * total_tp + total_fp + total_fn)
    report["micro_f1"] = round(micro_f1, 3)
    (tmp_path / "entities-held-out.json").write_text(json.dumps(report, indent=2))
    print(report)
    assert micro_f1 >= MIN_MICRO_F1, report
