"""The compiled action-response validator accepts and rejects exactly what Rasa's own does."""
import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

import bot.channels  # noqa: F401  (installs the fix, as in the Rasa server)
from bot.rasa_speedups import validate_action_result

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "zoekopdracht", "value": {"kind": "aanbod"}}],
     "responses": [{"text": "hoi", "buttons": [{"title": "Meer", "payload": "/more"}]}]},
    {},
]
BAD = [
    {"events": "geen lijst"},
    {"events": [{"event": "slot"}]},
    {"responses": ["tekst"]},
    [],
]


def test_installed_on_remote_action():
    assert RemoteAction._validate_action_result is validate_action_result


@pytest.mark.parametrize("result", GOOD)
def test_valid_results_pass_like_rasa(result):
    validate(result, RemoteAction.action_response_format_spec())
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_results_fail_like_rasa(result):
    with pytest.raises(ValidationError):
        validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_x", None)._validate_action_result(result)
