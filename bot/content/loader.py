"""Load and validate the programme data; errors name the file, the entry and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Type, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.schema import Contact, ContactFile, Topic, TopicsFile

M = TypeVar("M", bound=BaseModel)


class DataError(ValueError):
    """A programme data file is missing, unreadable or does not match the schema."""


@dataclass(frozen=True)
class Programme:
    """All programme content, validated."""

    topics: Dict[str, Topic]
    contact: Contact

    def topic(self, topic_id: str) -> Topic:
        return self.topics[topic_id]


def _describe(path: Path | str, raw: Any, error: Mapping[str, Any]) -> str:
    """Turn one pydantic error into 'file: entry: field: message'."""
    loc = list(error["loc"])
    parts = [str(path)]
    if len(loc) >= 2 and isinstance(loc[1], int):
        index = loc[1]
        entry = f"{loc[0]}[{index}]"
        try:
            entry_id = raw[loc[0]][index].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            entry_id = None
        if entry_id:
            entry += f" (id={entry_id})"
        parts.append(f"entry {entry}")
        field = ".".join(str(x) for x in loc[2:])
    else:
        field = ".".join(str(x) for x in loc)
    if field:
        parts.append(f"field '{field}'")
    parts.append(error["msg"])
    return ": ".join(parts)


def load_file(path: Path, model: Type[M]) -> M:
    """Read one YAML file and validate it against ``model``."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML: {exc}") from exc
    return validate(path, raw, model)


def validate(path: Path | str, raw: Any, model: Type[M]) -> M:
    """Validate already-parsed data (from a file or a feed) against ``model``."""
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a mapping at the top level")
    try:
        return model.parse_obj(raw)
    except ValidationError as exc:
        messages = [_describe(path, raw, err) for err in exc.errors()]
        raise DataError("\n".join(messages)) from exc


def load_programme(directory: Path) -> Programme:
    """Load every programme file in ``directory``."""
    topics = load_file(directory / "onderwerpen.yml", TopicsFile).onderwerpen
    contact = load_file(directory / "contact.yml", ContactFile).contact
    return Programme(topics={t.id: t for t in topics}, contact=contact)
