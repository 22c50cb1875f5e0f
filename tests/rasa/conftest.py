import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from bot import PROJECT_ROOT, training


@pytest.fixture(scope="session")
def model() -> Path:
    """The up-to-date model (`make test` trains it first; this trains only if it is stale)."""
    training.train(PROJECT_ROOT)
    return training.model_path(PROJECT_ROOT)


def rasa(args: List[str], log: Path) -> subprocess.CompletedProcess:
    """Run a rasa CLI command from the project root, output to a log file."""
    with open(log, "w") as out:
        return subprocess.run(
            [sys.executable, "-m", "rasa", *args],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
