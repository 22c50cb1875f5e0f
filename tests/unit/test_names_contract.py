"""The contract between `domain.yml`, the training data and the Python code (bot/names.py).

- every name in bot/names.py exists in the domain (intent, action, slot or response);
- every intent and custom action of the domain is named in bot/names.py and used somewhere;
- Python code outside bot/names.py never retypes a domain name as a string literal;
- every button payload (domain responses, training data, generated replies) names a real intent.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

import pytest
import yaml

from bot import PROJECT_ROOT, names

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
CODE_DIRS = ("actions", "bot")
NAMES_FILE = PROJECT_ROOT / "bot" / "names.py"
PAYLOAD = re.compile(r"^/([A-Za-z_]+)(\{.*\})?$", re.DOTALL)


def _domain_list(key: str) -> Set[str]:
    items = DOMAIN.get(key) or []
    if isinstance(items, dict):
        return set(items)
    return {next(iter(i)) if isinstance(i, dict) else i for i in items}


INTENTS = _domain_list("intents")
ACTIONS = _domain_list("actions")
SLOTS = _domain_list("slots")
RESPONSES = _domain_list("responses")
FORMS = _domain_list("forms")
ENTITIES = _domain_list("entities")


def _constants() -> Dict[str, str]:
    return {
        k: v
        for k, v in vars(names).items()
        if k.isupper() and isinstance(v, str) and not k.endswith("_KEY")
    }


def _python_files() -> Iterator[Path]:
    for folder in CODE_DIRS:
        yield from (PROJECT_ROOT / folder).rglob("*.py")


def _string_literals(path: Path) -> Iterator[Tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def _training_texts() -> str:
    parts = []
    for folder in ("data/nlu", "data/rules", "data/stories", "tests/stories"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.yml")):
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def _python_uses() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in _python_files() if p != NAMES_FILE)


@pytest.mark.parametrize("constant, value", sorted(_constants().items()))
def test_every_name_exists_in_the_domain(constant: str, value: str):
    if constant.startswith("ACTION_"):
        assert value in ACTIONS, f"{constant}={value!r} is not an action in domain.yml"
    elif constant.startswith("SLOT_"):
        assert value in SLOTS, f"{constant}={value!r} is not a slot in domain.yml"
    elif constant.startswith("UTTER_"):
        assert value in RESPONSES, f"{constant}={value!r} is not a response in domain.yml"
    elif constant.startswith("FORM_"):
        assert value in FORMS, f"{constant}={value!r} is not a form in domain.yml"
    elif constant.startswith("ENTITY_"):
        assert value in ENTITIES, f"{constant}={value!r} is not an entity in domain.yml"
    else:
        assert value in INTENTS, f"{constant}={value!r} is not an intent in domain.yml"


def test_every_domain_intent_and_action_is_named_and_used():
    named = set(_constants().values())
    data = _training_texts()
    code = _python_uses()
    constant_of = {v: k for k, v in _constants().items()}
    for intent in INTENTS:
        assert intent in named, f"intent {intent!r} has no constant in bot/names.py"
        used = (
            re.search(rf"(intent:\s*{intent}\b|/{intent}\b)", data)
            or f"names.{constant_of[intent]}" in code
            or constant_of[intent] in code
        )
        assert used, f"intent {intent!r} is used by no rule, story, example or code"
    for action in ACTIONS:
        if action.startswith("utter_") or action.startswith("validate_"):
            continue
        assert action in named, f"action {action!r} has no constant in bot/names.py"
        assert constant_of[action] in code, f"no custom action implements {action!r}"
        assert re.search(rf"\b{action}\b", data), f"action {action!r} is in no rule or story"


def test_python_code_uses_the_constants_not_retyped_names():
    domain_names = (INTENTS | ACTIONS | SLOTS | FORMS) - {"faq"} | {names.FAQ}
    offenders = []
    for path in _python_files():
        if path == NAMES_FILE:
            continue
        for line, value in _string_literals(path):
            bare = PAYLOAD.match(value)
            if value in domain_names or (bare and bare.group(1) in INTENTS):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{line}: {value!r}")
    assert not offenders, "use bot/names.py:\n" + "\n".join(offenders)


def _payloads(node) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "payload" and isinstance(value, str):
                yield value
            else:
                yield from _payloads(value)
    elif isinstance(node, list):
        for item in node:
            yield from _payloads(item)


def test_button_payloads_in_domain_and_data_name_real_intents():
    sources = [DOMAIN] + [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in (PROJECT_ROOT / "data").rglob("*.yml")
    ]
    for payload in (p for s in sources for p in _payloads(s)):
        match = PAYLOAD.match(payload)
        if match:  # other payloads are plain text the user "types"
            assert match.group(1) in INTENTS, payload


def test_payload_helper_builds_rasa_intent_payloads():
    assert names.payload(names.MORE) == "/more"
    assert names.payload(names.INFORM, categorie="catering") == '/inform{"categorie": "catering"}'
    assert PAYLOAD.match(names.payload(names.INFORM, periode="één week"))
