"""Rasa's own checks: data validation and test stories."""

import re

from bot import PROJECT_ROOT
from tests.rasa.conftest import rasa


def responses_used_by_custom_actions() -> set:
    """Response names that the code in actions/ and bot/ utters through the dispatcher."""
    names = set()
    for folder in ("actions", "bot"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"\"(utter_[a-z_]+)\"", path.read_text()))
    return names


# Warnings `rasa data validate` prints that are explained in docs/nlu-pipeline.md:
EXPLAINED_WARNINGS = [
    # The ResponseSelector's labels (utter_faq/<topic>) come with the generated training
    # data, which makes Rasa see the retrieval intent `faq` in two "domain" sources.
    re.compile(r"duplicated intents have been found across multiple domain files: faq$"),
    re.compile(r"The utterance 'utter_faq' is not used"),
]


def test_data_validate_has_no_unexplained_warnings(tmp_path):
    log = tmp_path / "validate.log"
    result = rasa(
        [
            "data",
            "validate",
            "--data",
            "data/nlu",
            "data/rules",
            "data/stories",
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
        ],
        log,
    )
    text = log.read_text()
    assert result.returncode == 0, text[-3000:]
    warnings = [line for line in text.splitlines() if "UserWarning" in line or " WARNING " in line]
    used = responses_used_by_custom_actions()
    unexplained = [
        w
        for w in (re.sub(r"\x1b\[[0-9;]*m", "", w).strip() for w in warnings)
        if not any(p.search(w) for p in EXPLAINED_WARNINGS)
        and not any(f"'{name}' is not used in any story or rule" in w for name in used)
    ]
    assert not unexplained, "\n".join(unexplained)


def test_stories_predict_without_errors(model, tmp_path):
    out = tmp_path / "results"
    log = tmp_path / "rasa-test-core.log"
    result = rasa(
        [
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            str(PROJECT_ROOT / "tests" / "stories"),
            "--out",
            str(out),
            "--fail-on-prediction-errors",
            "--no-plot",
        ],
        log,
    )
    assert result.returncode == 0, log.read_text()[-4000:]
