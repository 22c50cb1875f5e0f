"""Schema of the catalogue data: categories, offers, procurement opportunities, events, platform.

Files and JSON feeds hold *entries* (``OpportunityEntry``, ``EventEntry``) whose dates may be
relative to today, so the example data never runs out of date. The loader resolves them against
a ``now`` into ``Opportunity`` and ``Event`` with tz-aware datetimes in Europe/Amsterdam.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import List, Optional, Union
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Extra, Field, root_validator, validator

from bot.content.schema import Entry, unique_ids

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SLUG = r"^[a-z][a-z0-9_]*$"
LINK = r"^https?://\S+$"
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def local(value: datetime) -> datetime:
    """``value`` in Europe/Amsterdam; a naive datetime is taken to be Amsterdam time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=AMSTERDAM)
    return value.astimezone(AMSTERDAM)


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


# --- vocabularies -------------------------------------------------------------------------------


class Term(Entry):
    """A vocabulary item: id, Dutch display name and the words people use for it."""

    id: str = Field(..., regex=SLUG)
    naam: str = Field(..., min_length=1)
    synoniemen: List[str] = []

    @validator("synoniemen", each_item=True)
    def _lower_case(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a synonym may not be empty")
        if value != value.lower():
            raise ValueError(f"synonym '{value}' must be lower case")
        return value


class Category(Term):
    """A procurement category (catering, schoonmaak, ...)."""


class EventKind(Term):
    """A kind of event (impact_days, meet_the_buyer, ...)."""


class ImpactKind(Term):
    """A kind of social impact (circulair, lokaal, ...)."""


# --- moments: absolute or relative to today -----------------------------------------------------


class RelativeMoment(Strict):
    """``over_dagen`` days after today, at ``tijd`` (HH:MM) Amsterdam time."""

    over_dagen: int = Field(..., ge=-3660, le=3660)
    tijd: str = "00:00"

    @validator("tijd")
    def _valid_time(cls, value: str) -> str:
        if not _TIME.match(value):
            raise ValueError(f"'{value}' is not a time like 19:30")
        return value

    def resolve(self, now: datetime) -> datetime:
        hour, minute = (int(x) for x in self.tijd.split(":"))
        day: date = local(now).date() + timedelta(days=self.over_dagen)
        return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)


Moment = Union[RelativeMoment, datetime]


def resolve_moment(moment: Moment, now: datetime) -> datetime:
    if isinstance(moment, RelativeMoment):
        return moment.resolve(now)
    return local(moment)


# --- offers, opportunities, events --------------------------------------------------------------


class Offer(Entry):
    """What a (social) enterprise offers to buyers."""

    id: str = Field(..., regex=SLUG)
    organisatie: str = Field(..., min_length=1)
    categorie: str = Field(..., regex=SLUG)
    omschrijving: str = Field(..., min_length=10)
    impact: List[str] = []
    certificeringen: List[str] = []
    locatie: str = Field(..., min_length=1)
    link: str = Field(..., regex=LINK)


class _OpportunityFields(Entry):
    id: str = Field(..., regex=SLUG)
    opdrachtgever: str = Field(..., min_length=1)
    titel: str = Field(..., min_length=1)
    categorie: str = Field(..., regex=SLUG)
    waarde: str = Field(..., min_length=1)
    social_return: str = Field(..., min_length=1)
    procedure: str = Field(..., min_length=1)
    link: str = Field(..., regex=LINK)
    omschrijving: Optional[str] = None


class OpportunityEntry(_OpportunityFields):
    """A procurement opportunity as written in a file or feed; the deadline may be relative."""

    deadline: Moment

    def resolve(self, now: datetime) -> Opportunity:
        data = self.dict(exclude={"deadline"})
        return Opportunity(**data, deadline=resolve_moment(self.deadline, now))


class Opportunity(_OpportunityFields):
    """A procurement opportunity with a tz-aware deadline (Europe/Amsterdam)."""

    deadline: datetime

    @validator("deadline")
    def _local(cls, value: datetime) -> datetime:
        return local(value)


class _EventFields(Entry):
    id: str = Field(..., regex=r"^[a-z0-9][a-z0-9_\-]*$")
    titel: str = Field(..., min_length=1)
    soort: str = Field(..., regex=SLUG)
    locatie: str = Field(..., min_length=1)
    online: bool
    thema: str = ""
    organisator: str = Field(..., min_length=1)
    aanmelden: str = Field(..., regex=LINK)
    omschrijving: Optional[str] = None


class EventEntry(_EventFields):
    """An event as written in a file or feed: a start and either an end (eind) or a duration."""

    start: Moment
    eind: Optional[Moment] = None
    duur_minuten: Optional[int] = Field(None, gt=0, le=60 * 24 * 14)

    @root_validator(skip_on_failure=True)
    def _end_or_duration(cls, values: dict) -> dict:
        if (values.get("eind") is None) == (values.get("duur_minuten") is None):
            raise ValueError("give exactly one of 'eind' and 'duur_minuten'")
        return values

    def resolve(self, now: datetime) -> Event:
        start = resolve_moment(self.start, now)
        if self.eind is not None:
            end = resolve_moment(self.eind, now)
        else:
            end = start + timedelta(minutes=self.duur_minuten or 0)
        data = self.dict(exclude={"start", "eind", "duur_minuten"})
        return Event(**data, start=start, end=end)


class Event(_EventFields):
    """An event with tz-aware ``start`` and ``end`` (Europe/Amsterdam); ``end`` is after ``start``."""

    start: datetime
    end: datetime

    @validator("start", "end")
    def _local(cls, value: datetime) -> datetime:
        return local(value)

    @validator("end")
    def _after_start(cls, value: datetime, values: dict) -> datetime:
        start = values.get("start")
        if start is not None and value <= start:
            raise ValueError("the end must be after the start")
        return value


# --- platform -----------------------------------------------------------------------------------


class Route(Strict):
    """How one kind of user joins the platform."""

    titel: str = Field(..., min_length=1)
    tekst: str = Field(..., min_length=10)
    link: str = Field(..., regex=LINK)


class Platform(Entry):
    """The inkoopplatform: joining as supplier (aanbod plaatsen) or as buyer (vraag plaatsen)."""

    naam: str = Field(..., min_length=1)
    omschrijving: str = Field(..., min_length=10)
    aanbieder: Route
    inkoper: Route
    contact: str = Field(..., min_length=1)
    opmerking: Optional[str] = None


# --- files --------------------------------------------------------------------------------------


class CategoriesFile(Strict):
    categorieen: List[Category] = Field(..., min_items=1)
    soorten_evenement: List[EventKind] = Field(..., min_items=1)
    impact_soorten: List[ImpactKind] = Field(..., min_items=1)

    _ids = validator("categorieen", "soorten_evenement", "impact_soorten", allow_reuse=True)(
        unique_ids
    )


class OffersFile(Strict):
    aanbod: List[Offer] = []

    _ids = validator("aanbod", allow_reuse=True)(unique_ids)


class OpportunitiesFile(Strict):
    inkoopvragen: List[OpportunityEntry] = []

    _ids = validator("inkoopvragen", allow_reuse=True)(unique_ids)


class EventsFile(Strict):
    evenementen: List[EventEntry] = []

    _ids = validator("evenementen", allow_reuse=True)(unique_ids)


class PlatformFile(Strict):
    platform: Platform
