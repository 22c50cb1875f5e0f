"""Train the Rasa model only when its inputs changed since the last model."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable, List

MODEL_NAME = "current"
TRAINING_INPUTS = ("config.yml", "domain.yml", "data/nlu", "data/rules", "data/stories")


def input_files(root: Path, inputs: Iterable[str] = TRAINING_INPUTS) -> List[Path]:
    files: List[Path] = []
    for name in inputs:
        path = root / name
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.yml") if p.is_file()))
        elif path.exists():
            files.append(path)
    return files


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def model_path(root: Path) -> Path:
    return root / "models" / f"{MODEL_NAME}.tar.gz"


def stamp_path(root: Path) -> Path:
    return root / "models" / f"{MODEL_NAME}.inputs.sha256"


def is_current(root: Path) -> bool:
    stamp = stamp_path(root)
    return (
        model_path(root).exists()
        and stamp.exists()
        and stamp.read_text().strip() == fingerprint(root)
    )


def train(root: Path, force: bool = False) -> bool:
    """Run `rasa train` if needed; returns True when a model was trained.

    Safe to call from several processes at once (a test session while `make run` is up): a
    file lock lets one train while the others wait, and the model replaces the old one in one
    rename, so a reader never sees half a file.
    """
    if not force and is_current(root):
        return False
    models = root / "models"
    models.mkdir(exist_ok=True)
    with open(models / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and is_current(root):
            return False
        expected = fingerprint(root)
        out = Path(tempfile.mkdtemp(prefix=".train-", dir=models))
        try:
            data = [str(root / "data" / d) for d in ("nlu", "rules", "stories")]
            cmd = [
                sys.executable,
                "-m",
                "rasa",
                "train",
                "--config",
                str(root / "config.yml"),
                "--domain",
                str(root / "domain.yml"),
                "--data",
                *data,
                "--out",
                str(out),
                "--fixed-model-name",
                MODEL_NAME,
            ]
            subprocess.run(cmd, cwd=root, check=True)
            os.replace(out / f"{MODEL_NAME}.tar.gz", model_path(root))
            stamp_path(root).write_text(expected + "\n")
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return True
