"""The programme data loads, and malformed files fail with file, entry and field."""

from pathlib import Path

import pytest
import yaml

from bot.content.loader import DataError, load_programme
from tests.fixtures import FIXTURE_PROGRAMME

DATA = FIXTURE_PROGRAMME


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for f in DATA.glob("*.yml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def edit_topics(directory: Path, change) -> None:
    path = directory / "onderwerpen.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw["onderwerpen"])
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_shipped_data_is_valid_and_sourced():
    programme = load_programme(DATA)
    assert {
        "programma",
        "lol",
        "impact_days",
        "inkoopplatform",
        "social_return",
        "pso",
        "code_register",
        "partners",
        "contact",
    } <= set(programme.topics)
    assert all(t.bronnen for t in programme.topics.values())
    assert "Live Online Learning" in programme.topic("lol").antwoord
    assert programme.contact.telefoon == "14 023"


def test_kernthemas_are_marked_concept_not_invented():
    topic = load_programme(DATA).topic("actielijnen")
    assert topic.status == "concept"
    assert "niet in een openbare bron" in topic.antwoord


def test_missing_field_names_file_entry_and_field(data_copy: Path):
    edit_topics(data_copy, lambda topics: topics[3].pop("antwoord"))
    with pytest.raises(DataError) as exc:
        load_programme(data_copy)
    message = str(exc.value)
    assert "onderwerpen.yml" in message
    assert "onderwerpen[3] (id=lol)" in message
    assert "field 'antwoord'" in message


def test_wrong_status_and_unknown_field_are_reported(data_copy: Path):
    def change(topics):
        topics[0]["status"] = "misschien"
        topics[1]["kleur"] = "blauw"

    edit_topics(data_copy, change)
    with pytest.raises(DataError) as exc:
        load_programme(data_copy)
    message = str(exc.value)
    assert "onderwerpen[0] (id=programma): field 'status'" in message
    assert "onderwerpen[1] (id=ontstaan): field 'kleur'" in message


def test_source_is_required(data_copy: Path):
    edit_topics(data_copy, lambda topics: topics[2].update(bronnen=[]))
    with pytest.raises(DataError, match=r"onderwerpen\[2\].*field 'bronnen'"):
        load_programme(data_copy)


def test_duplicate_ids_are_rejected(data_copy: Path):
    edit_topics(data_copy, lambda topics: topics[1].update(id=topics[0]["id"]))
    with pytest.raises(DataError, match="duplicate id 'programma'"):
        load_programme(data_copy)


def test_broken_yaml_and_missing_file(data_copy: Path):
    (data_copy / "contact.yml").write_text("contact: [unclosed", encoding="utf-8")
    with pytest.raises(DataError, match="contact.yml: not valid YAML"):
        load_programme(data_copy)
    (data_copy / "contact.yml").unlink()
    with pytest.raises(DataError, match="contact.yml: file not found"):
        load_programme(data_copy)


def test_cli_check_reports_errors_with_exit_code(data_copy: Path, monkeypatch, capsys):
    from bot.cli import main

    edit_topics(data_copy, lambda topics: topics[0].pop("titel"))
    monkeypatch.setenv("PROGRAMME_DIR", str(data_copy))
    assert main(["check"]) == 2
    assert "field 'titel'" in capsys.readouterr().err
