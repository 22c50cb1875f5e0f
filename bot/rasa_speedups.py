"""A speed fix for Rasa 3.6's custom-action calls, installed when Rasa loads `bot.channels`.

Rasa validates every action server response with `jsonschema.validate()`, which first checks the
schema itself against the JSON Schema meta-schema, on every call. With jsonschema 4.17 that took
about half of the Rasa server's CPU time in a turn with a custom action (measured with py-spy;
see docs/benchmarks.md). Here the validator is built and checked once; responses are validated
against the same schema and an invalid one raises the same `ValidationError`, with Rasa's message.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with a validator compiled once."""
    error = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]


__all__ = ["install", "validate_action_result", "ValidationError"]
