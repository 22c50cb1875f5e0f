from pathlib import Path

from bot import training


def make_project(root: Path) -> None:
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "config.yml").write_text("language: nl\n")
    (root / "domain.yml").write_text("version: '3.1'\n")
    (root / "data" / "nlu" / "a.yml").write_text("nlu: []\n")


def test_fingerprint_changes_with_training_inputs_only(tmp_path: Path):
    make_project(tmp_path)
    before = training.fingerprint(tmp_path)
    (tmp_path / "README.md").write_text("docs do not count")
    assert training.fingerprint(tmp_path) == before
    (tmp_path / "data" / "nlu" / "a.yml").write_text("nlu: [x]\n")
    assert training.fingerprint(tmp_path) != before


def test_model_is_current_only_with_matching_stamp(tmp_path: Path):
    make_project(tmp_path)
    assert not training.is_current(tmp_path)
    (tmp_path / "models").mkdir()
    training.model_path(tmp_path).write_bytes(b"model")
    training.stamp_path(tmp_path).write_text(training.fingerprint(tmp_path))
    assert training.is_current(tmp_path)
    (tmp_path / "domain.yml").write_text("version: '3.1'\nintents: [greet]\n")
    assert not training.is_current(tmp_path)
