"""Fallback threshold sweep on the held-out NLU set, from `rasa test nlu --successes` output.

Usage: python bench/nlu_thresholds.py RESULTS_DIR   (prints a Markdown table)
For each threshold: how many held-out messages would be answered (coverage), how many of those
get the right intent (precision of what is answered), and how many right answers the fallback
would throw away.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def load(results: Path):
    rows = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = results / name
        if path.exists():
            for item in json.loads(path.read_text()):
                predicted = item["intent_prediction"]
                rows.append((item["intent"], predicted["name"], predicted["confidence"]))
    return rows


def table(rows, thresholds=(0.3, 0.4, 0.5, 0.6, 0.7, 0.8)) -> str:
    lines = [
        "| threshold | answered | right among answered | right answers lost to fallback |",
        "|---:|---:|---:|---:|",
    ]
    total = len(rows)
    for t in thresholds:
        answered = [r for r in rows if r[2] >= t]
        right = sum(1 for gold, pred, _ in answered if gold == pred)
        lost = sum(1 for gold, pred, conf in rows if conf < t and gold == pred)
        lines.append(
            f"| {t:.1f} | {len(answered) / total:.1%} | "
            f"{right / max(1, len(answered)):.1%} | {lost} of {total} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(load(Path(sys.argv[1]))))
