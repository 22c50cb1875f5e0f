"""The held-out NLU test sets (tests/nlu/*.yml) as labelled examples, for tests and benchmarks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Tuple

import yaml

from bot import PROJECT_ROOT

TEST_DIR = PROJECT_ROOT / "tests" / "nlu"
TEST_FILES = sorted(TEST_DIR.glob("*.yml"))


def normalise(text: str) -> str:
    return " ".join(text.lower().split()).strip(" ?!.,")


def labelled_examples(path: Path) -> Iterator[Tuple[str, str]]:
    """(intent, normalised text) for each example of an NLU file, entity markup removed."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in doc.get("nlu", []):
        if "intent" in item:
            for line in item["examples"].splitlines():
                if line.strip().startswith("- "):
                    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:])
                    yield item["intent"], normalise(text)
