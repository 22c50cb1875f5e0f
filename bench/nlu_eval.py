"""Quick NLU evaluation of a Rasa config: held-out sets and k-fold cross-validation.

Usage:
  python -m bench.nlu_eval --config config.yml [--folds 5] [--model PATH] [--out results/x.json]

Trains an NLU-only model on data/nlu (or uses --model), parses every sentence of tests/nlu/*.yml
in-process and reports intent accuracy (the FallbackClassifier's `nlu_fallback` undone, as
`rasa test nlu` does), topic (`faq/*`) accuracy, how many would be answered at the configured
fallback threshold, and the misses. With --folds, it also cross-validates on the training data
(stratified on the full label, fixed seed), training one model per fold. With a linear pipeline a
fold trains in seconds; `rasa test nlu --cross-validation` with DIET took about 20 minutes here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot import PROJECT_ROOT

FALLBACK = "nlu_fallback"
Example = Tuple[str, str]  # (full label such as faq/lol, text)


def coarse(label: str) -> str:
    return label.split("/")[0]


def held_out_sets() -> Dict[str, List[Example]]:
    """Each tests/nlu/*.yml file with intent examples, as (label, text) pairs."""
    from bot.devtools.nlu_data import TEST_FILES, labelled_examples

    sets = {p.name: list(labelled_examples(p)) for p in TEST_FILES}
    return {name: items for name, items in sets.items() if items}


def train(config: Path, nlu: Path, out_dir: Path) -> Path:
    """Train an NLU-only model; returns the archive path."""
    from rasa.model_training import train_nlu

    domain = str(PROJECT_ROOT / "domain.yml")
    return Path(train_nlu(str(config), str(nlu), str(out_dir), domain=domain))


def parse_all(model: Path, texts: Sequence[str]) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> List[Dict[str, Any]]:
        return [await agent.parse_message(t) for t in texts]

    return asyncio.run(run())


def prediction(parsed: Dict[str, Any]) -> Tuple[str, float, bool, Optional[str]]:
    """(intent with the fallback undone, its confidence, whether it fell back, faq key)."""
    intent = parsed.get("intent") or {}
    ranking = parsed.get("intent_ranking") or []
    fell_back = intent.get("name") == FALLBACK
    if fell_back:
        others = [r for r in ranking if r.get("name") != FALLBACK]
        intent = others[0] if others else intent
    selector = (parsed.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return intent.get("name") or "", float(intent.get("confidence") or 0.0), fell_back, key


def score(examples: Sequence[Example], parsed: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    rows = []
    for (label, text), p in zip(examples, parsed, strict=True):
        intent, confidence, fell_back, key = prediction(p)
        rows.append(
            {
                "label": label,
                "text": text,
                "intent": intent,
                "confidence": confidence,
                "fallback": fell_back,
                "faq_key": key,
            }
        )
    n = len(rows)
    right = [r for r in rows if r["intent"] == coarse(r["label"])]
    faq = [r for r in rows if r["label"].startswith("faq/")]
    answered = [r for r in rows if not r["fallback"]]
    misses = Counter(
        (coarse(r["label"]), r["intent"]) for r in rows if r["intent"] != coarse(r["label"])
    )
    return {
        "sentences": n,
        "intent_accuracy": round(len(right) / max(1, n), 4),
        "faq_accuracy": round(sum(r["faq_key"] == r["label"] for r in faq) / max(1, len(faq)), 4),
        "faq_sentences": len(faq),
        "answered": round(len(answered) / max(1, n), 4),
        "right_among_answered": round(
            sum(r["intent"] == coarse(r["label"]) for r in answered) / max(1, len(answered)), 4
        ),
        "confusions": [
            {"gold": g, "predicted": p, "count": c} for (g, p), c in misses.most_common()
        ],
        "errors": [
            r
            for r in rows
            if r["intent"] != coarse(r["label"])
            or (r["label"].startswith("faq/") and r["faq_key"] != r["label"])
        ],
        "rows": rows,
    }


def cross_validate(
    config: Path, folds: int, work: Path, nlu: Path, seed: int = 1
) -> Dict[str, Any]:
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = load_data(str(nlu))
    examples = data.intent_examples
    labels = [m.get_full_intent() for m in examples]
    accuracies, faq_accuracies, pooled = [], [], []
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train_index, test_index) in enumerate(split.split(examples, labels)):
        part = TrainingData(
            training_examples=[examples[i] for i in train_index],
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
            responses=data.responses,
        )
        fold_dir = work / f"fold{fold}"
        fold_dir.mkdir(parents=True)
        (fold_dir / "nlu.yml").write_text(part.nlu_as_yaml(), encoding="utf-8")
        model = train(PROJECT_ROOT / config, fold_dir / "nlu.yml", fold_dir)
        test = [(labels[i], examples[i].get("text")) for i in test_index]
        result = score(test, parse_all(model, [t for _, t in test]))
        accuracies.append(result["intent_accuracy"])
        faq_accuracies.append(result["faq_accuracy"])
        pooled += result["rows"]
        logging.getLogger(__name__).info("fold %d: %.3f", fold, result["intent_accuracy"])
    mean = sum(accuracies) / len(accuracies)
    std = (sum((a - mean) ** 2 for a in accuracies) / len(accuracies)) ** 0.5
    misses = Counter(
        (coarse(r["label"]), r["intent"]) for r in pooled if r["intent"] != coarse(r["label"])
    )
    return {
        "folds": folds,
        "intent_accuracy": round(mean, 4),
        "intent_accuracy_std": round(std, 4),
        "faq_accuracy": round(sum(faq_accuracies) / len(faq_accuracies), 4),
        "per_fold": accuracies,
        "confusions": [
            {"gold": g, "predicted": p, "count": c} for (g, p), c in misses.most_common(25)
        ],
    }


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    parser.add_argument("--model", type=Path, help="evaluate this model instead of training one")
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument(
        "--data",
        type=Path,
        default=PROJECT_ROOT / "data" / "nlu",
        help="training data (default data/nlu)",
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    report: Dict[str, Any] = {"config": str(args.config)}
    with tempfile.TemporaryDirectory(prefix="nlu-eval-") as tmp:
        work = Path(tmp)
        model = args.model
        if model is None:
            started = time.perf_counter()
            model = train(PROJECT_ROOT / args.config, args.data, work / "full")
            report["train_seconds"] = round(time.perf_counter() - started, 1)
        for name, examples in held_out_sets().items():
            started = time.perf_counter()
            parsed = parse_all(model, [t for _, t in examples])
            result = score(examples, parsed)
            result["parse_ms_per_sentence"] = round(
                1000 * (time.perf_counter() - started) / max(1, len(examples)), 1
            )
            report[name] = result
        if args.folds:
            report["cross_validation"] = cross_validate(
                args.config, args.folds, work / "cv", args.data
            )
    summary = {
        k: (
            {kk: vv for kk, vv in v.items() if kk not in ("rows", "errors")}
            if isinstance(v, dict)
            else v
        )
        for k, v in report.items()
    }
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
