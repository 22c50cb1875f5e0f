"""Schema of the programme data files in data/programme/."""

from __future__ import annotations

from typing import List, Literal, Optional

from pydantic import BaseModel, Extra, Field, validator

Status = Literal["vastgesteld", "concept", "voorbeeld"]


def unique_ids(items: list) -> list:
    """Validator: every item's ``id`` occurs once."""
    seen = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"duplicate id '{item.id}'")
        seen.add(item.id)
    return items


class Entry(BaseModel):
    """Base of every data entry: strict (unknown fields are errors) and sourced."""

    status: Status
    bronnen: List[str] = Field(..., min_items=1)

    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True

    @validator("bronnen", each_item=True)
    def _source_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a source may not be empty")
        return value


class Topic(Entry):
    """One programme topic; answers the retrieval intent faq/<id>."""

    id: str = Field(..., regex=r"^[a-z][a-z0-9_]*$")
    titel: str = Field(..., min_length=1)
    antwoord: str = Field(..., min_length=10)
    termen: List[str] = []
    opmerking: Optional[str] = None


class TopicsFile(BaseModel):
    onderwerpen: List[Topic] = Field(..., min_items=1)

    class Config:
        extra = Extra.forbid

    _ids = validator("onderwerpen", allow_reuse=True)(unique_ids)


class Contact(Entry):
    organisatie: str
    telefoon: str
    telefoon_buitenland: str
    adres: str
    website: str


class ContactFile(BaseModel):
    contact: Contact

    class Config:
        extra = Extra.forbid
