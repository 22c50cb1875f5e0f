"""Find a period of time in a Dutch sentence: "volgende week", "in maart", "na 1 december", ...

``parse_period(text, now)`` returns a ``Period`` (start inclusive, end exclusive, tz-aware in
Europe/Amsterdam, with a Dutch label to repeat to the user) or None when the text names no period.

Choices where Dutch is ambiguous (documented here and in the tests):
- Calendar words give calendar windows: "deze week" is Monday 00:00 to next Monday 00:00, also
  when part of it has passed (search only shows what is still to come anyway).
- "komende week/maand", "de komende N dagen/weken/maanden" and "binnenkort" (30 days) are rolling
  windows from ``now``; "volgende week/maand" is the next calendar week/month.
- Seasons are meteorological: winter Dec-Feb, voorjaar/lente Mar-May, zomer Jun-Aug, najaar/herfst
  Sep-Nov. "deze/dit/in de <seizoen>" is the current season, or the next one if it is over;
  "komende/volgende <seizoen>" is the next one that has not started.
- "voor de zomer" is from ``now`` until the next meteorological summer starts (1 June);
  "na de zomer" is the three months after the current or next summer ends (Sep-Nov).
- "na <datum>" starts the day after, "vanaf <datum>" on the day; "voor <datum>" ends at the start of
  the day, "tot <datum>" and "t/m <datum>" include the day. Open-ended periods ("na", "vanaf") run
  for one year (``OPEN_END``).
- "over twee weken" is the calendar week that contains the day two weeks from now; "over N dagen"
  that day; "over N maanden" that calendar month.
- "in <maand>" is the next such month, this year if not yet over (the current month counts).
- A date without a year is the next such date, today included (dateparser, PREFER_DATES_FROM future,
  with the relative base at the end of yesterday so that today's date is not pushed a year ahead).
- Labels repeat the user's words in a standard form; a year is only added when the user gave one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable, List, Optional, Tuple

import dateparser

from bot.catalog.schema import AMSTERDAM, local

OPEN_END = timedelta(days=365)
SOON = timedelta(days=30)

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
_MONTH_ABBREVIATIONS = [
    "jan",
    "feb",
    "mrt",
    "maa",
    "apr",
    "jun",
    "jul",
    "aug",
    "sept",
    "sep",
    "okt",
    "nov",
    "dec",
]
WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
NUMBERS = {
    "een": 1,
    "één": 1,
    "1": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
}
PARTS_OF_DAY = {"ochtend": (6, 12), "morgen": (6, 12), "middag": (12, 18), "avond": (18, 24)}
_NEUTER_SEASONS = ("najaar", "voorjaar")
SEASONS = {"winter": 12, "voorjaar": 3, "lente": 3, "zomer": 6, "najaar": 9, "herfst": 9}

_DATEPARSER_SETTINGS = {
    "PREFER_DATES_FROM": "future",
    "TIMEZONE": "Europe/Amsterdam",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "DATE_ORDER": "DMY",
}


@dataclass(frozen=True)
class Period:
    """A window of time: ``start`` inclusive, ``end`` exclusive, both Europe/Amsterdam."""

    start: datetime
    end: datetime
    label: str

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


# --- calendar helpers ---------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=AMSTERDAM)


def _day(day: date, label: str) -> Period:
    return Period(_midnight(day), _midnight(day + timedelta(days=1)), label)


def _days(first: date, after_last: date, label: str) -> Period:
    return Period(_midnight(first), _midnight(after_last), label)


def _month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def _month(year: int, month: int, label: str) -> Period:
    return _days(_month_start(year, month), _month_start(year, month + 1), label)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week(day: date, label: str) -> Period:
    monday = _monday(day)
    return _days(monday, monday + timedelta(days=7), label)


def _format_date(day: date, with_year: bool) -> str:
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def _number(word: str) -> Optional[int]:
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def _add_months(day: date, months: int) -> date:
    first = _month_start(day.year, day.month + months)
    last_day = (_month_start(first.year, first.month + 1) - timedelta(days=1)).day
    return first.replace(day=min(day.day, last_day))


def _season_windows(name: str, today: date) -> List[Tuple[date, date]]:
    start_month = SEASONS[name]
    windows = []
    for year in (today.year - 1, today.year, today.year + 1):
        first = date(year, start_month, 1)
        windows.append((first, _month_start(year, start_month + 3)))
    return windows


def _current_or_next_season(name: str, today: date) -> Tuple[date, date]:
    return next(w for w in _season_windows(name, today) if w[1] > today)


def _next_season(name: str, today: date) -> Tuple[date, date]:
    return next(w for w in _season_windows(name, today) if w[0] > today)


# --- explicit dates -----------------------------------------------------------------------------

_MONTH_NAMES = "|".join(sorted(MONTHS + _MONTH_ABBREVIATIONS, key=len, reverse=True))
_FULL_MONTHS = "|".join(MONTHS)
_WEEKDAY_NAMES = "|".join(WEEKDAYS)
DAY_MONTH = rf"\d{{1,2}}(?:e|ste|de)?\s+(?:{_MONTH_NAMES})\.?(?:\s+\d{{4}})?(?![\w])"
NUMERIC = r"\d{1,2}[-/]\d{1,2}(?:[-/]\d{2,4})?(?![\w/-])"
NUMERIC_WITH_YEAR = r"\d{1,2}[-/]\d{1,2}[-/]\d{4}(?![\w/-])"
WEEKDAY = rf"(?:{_WEEKDAY_NAMES})"
_YEAR_IN = re.compile(r"\d{4}\b")


def _dateparser(phrase: str, now: datetime) -> Optional[date]:
    """An explicit date such as '12 maart' or '12-3-2027'; dates without a year are the next one."""
    phrase = re.sub(r"(\d)(?:ste|de|e)\b", r"\1", phrase)
    yesterday_evening = datetime.combine(now.date(), time(0, 0)) - timedelta(minutes=1)
    settings = dict(_DATEPARSER_SETTINGS, RELATIVE_BASE=yesterday_evening)
    parsed = dateparser.parse(phrase, languages=["nl"], settings=settings)
    return parsed.date() if parsed else None


def _weekday_date(name: str, today: date, next_week: bool) -> date:
    target = WEEKDAYS.index(name)
    if next_week:
        return _monday(today) + timedelta(days=7 + target)
    return today + timedelta(days=(target - today.weekday()) % 7)


def _anchor(phrase: str, now: datetime) -> Optional[Tuple[date, str]]:
    """A single day: explicit date, weekday or vandaag/morgen/overmorgen, with its label."""
    today = now.date()
    if phrase == "vandaag":
        return today, "vandaag"
    if phrase == "morgen":
        return today + timedelta(days=1), "morgen"
    if phrase == "overmorgen":
        return today + timedelta(days=2), "overmorgen"
    match = re.fullmatch(rf"(volgende week\s+)?({WEEKDAY})", phrase)
    if match:
        day = _weekday_date(match.group(2), today, bool(match.group(1)))
        return day, f"{match.group(2)} {_format_date(day, False)}"
    parsed = _dateparser(phrase, now)
    if parsed is None:
        return None
    return parsed, _format_date(parsed, bool(_YEAR_IN.search(phrase)))


# --- rules --------------------------------------------------------------------------------------

Rule = Tuple["re.Pattern[str]", Callable[["re.Match[str]", datetime], Optional[Period]]]
_ANCHOR = rf"(?:{DAY_MONTH}|{NUMERIC}|(?:volgende week\s+)?{WEEKDAY}|vandaag|overmorgen|morgen)"
_PREFIX = r"(?P<prefix>na|voor|vóór|vanaf|sinds|tot en met|t/m|tot|uiterlijk)"


def _prefixed_date(match: re.Match[str], now: datetime) -> Optional[Period]:
    prefix, phrase = match.group("prefix"), match.group("anchor")
    found = _anchor(phrase, now)
    if found is None:
        return None
    day, label = found
    if prefix in ("na",):
        start = _midnight(day + timedelta(days=1))
        return Period(start, start + OPEN_END, f"na {label}")
    if prefix in ("vanaf", "sinds"):
        start = _midnight(day)
        return Period(start, start + OPEN_END, f"vanaf {label}")
    if prefix in ("voor", "vóór"):
        return Period(min(now, _midnight(day)), _midnight(day), f"voor {label}")
    end = _midnight(day + timedelta(days=1))  # tot, tot en met, t/m, uiterlijk: the day included
    return Period(min(now, _midnight(day)), end, f"tot en met {label}")


def _month_number(name: str) -> int:
    return MONTHS.index(name) + 1


def _month_year(month: int, year: Optional[str], today: date) -> int:
    if year:
        return int(year)
    return today.year if month >= today.month else today.year + 1


def _prefixed_month(match: re.Match[str], now: datetime) -> Optional[Period]:
    prefix, name, year = match.group("prefix"), match.group("month"), match.group("year")
    month = _month_number(name)
    first = _month_start(_month_year(month, year, now.date()), month)
    after = _month_start(first.year, first.month + 1)
    label = f"{name} {year}" if year else name
    if prefix == "na":
        return Period(_midnight(after), _midnight(after) + OPEN_END, f"na {label}")
    if prefix in ("vanaf", "sinds"):
        return Period(_midnight(first), _midnight(first) + OPEN_END, f"vanaf {label}")
    if prefix in ("voor", "vóór"):
        return Period(now, _midnight(first), f"voor {label}")
    return Period(now, _midnight(after), f"tot en met {label}")


def _part_of_month(match: re.Match[str], now: datetime) -> Optional[Period]:
    part, name, year = match.group("part"), match.group("month"), match.group("year")
    month = _month_number(name)
    first = _month_start(_month_year(month, year, now.date()), month)
    label = f"{part} {name} {year}" if year else f"{part} {name}"
    if part == "begin":
        return _days(first, first.replace(day=11), label)
    if part in ("half", "medio", "midden"):
        return _days(first.replace(day=11), first.replace(day=21), label)
    return _days(first.replace(day=21), _month_start(first.year, first.month + 1), label)


def _explicit_date(match: re.Match[str], now: datetime) -> Optional[Period]:
    found = _anchor(match.group("anchor"), now)
    if found is None:
        return None
    day, label = found
    return _day(day, f"op {label}")


def _weekday(match: re.Match[str], now: datetime) -> Optional[Period]:
    name, part = match.group("day"), match.group("part")
    day = _weekday_date(name, now.date(), bool(match.group("next")))
    label = f"op {name}{part or ''} {_format_date(day, False)}"
    return _narrow(_day(day, label), part)


def _narrow(period: Period, part: Optional[str]) -> Period:
    if not part:
        return period
    first, last = PARTS_OF_DAY[part]
    start = period.start.replace(hour=first)
    end = period.start + timedelta(days=1) if last == 24 else period.start.replace(hour=last)
    return Period(start, end, period.label)


def _simple_day(offset: int, label: str) -> Callable[[re.Match[str], datetime], Period]:
    def rule(match: re.Match[str], now: datetime) -> Period:
        part = match.groupdict().get("part")
        return _narrow(_day(now.date() + timedelta(days=offset), label + (part or "")), part)

    return rule


def _this_evening(match: re.Match[str], now: datetime) -> Period:
    part = {
        "vanavond": "avond",
        "vanmiddag": "middag",
        "vanochtend": "ochtend",
        "vanmorgen": "ochtend",
    }
    word = match.group(0)
    return _narrow(_day(now.date(), word), part[word])


def _week_rule(offset_weeks: int, label: str) -> Callable[[re.Match[str], datetime], Period]:
    def rule(match: re.Match[str], now: datetime) -> Period:
        return _week(now.date() + timedelta(weeks=offset_weeks), label)

    return rule


def _weekend_rule(offset_weeks: int, label: str) -> Callable[[re.Match[str], datetime], Period]:
    def rule(match: re.Match[str], now: datetime) -> Period:
        saturday = _monday(now.date()) + timedelta(days=5, weeks=offset_weeks)
        return _days(saturday, saturday + timedelta(days=2), label)

    return rule


def _month_rule(offset: int, label: str) -> Callable[[re.Match[str], datetime], Period]:
    def rule(match: re.Match[str], now: datetime) -> Period:
        return _month(now.year, now.month + offset, label)

    return rule


def _year_rule(offset: int, label: str) -> Callable[[re.Match[str], datetime], Period]:
    def rule(match: re.Match[str], now: datetime) -> Period:
        year = now.year + offset
        return _days(date(year, 1, 1), date(year + 1, 1, 1), label)

    return rule


def _in_year(match: re.Match[str], now: datetime) -> Period:
    year = int(match.group("year"))
    return _days(date(year, 1, 1), date(year + 1, 1, 1), f"in {year}")


def _rolling(match: re.Match[str], now: datetime) -> Optional[Period]:
    count = _number(match.group("count") or "een")
    unit = match.group("unit")
    if count is None:
        return None
    if unit.startswith("dag"):
        end = now + timedelta(days=count)
    elif unit.startswith("we"):
        end = now + timedelta(weeks=count)
    else:
        end = datetime.combine(_add_months(now.date(), count), now.timetz())
    words = match.group(0).strip()
    label = words if words.startswith("de ") else f"de {words}"
    return Period(now, end, label)


def _soon(match: re.Match[str], now: datetime) -> Period:
    return Period(now, now + SOON, "binnenkort")


def _in_time(match: re.Match[str], now: datetime) -> Optional[Period]:
    count = _number(match.group("count"))
    unit = match.group("unit")
    if count is None:
        return None
    label = match.group(0)
    today = now.date()
    if unit.startswith("dag"):
        return _day(today + timedelta(days=count), label)
    if unit.startswith("we"):
        return _week(today + timedelta(weeks=count), label)
    target = _add_months(today, count)
    return _month(target.year, target.month, label)


def _season(match: re.Match[str], now: datetime) -> Period:
    which, name = match.group("which"), match.group("season")
    today = now.date()
    upcoming = which in ("komende", "komend", "volgende", "volgend")
    first, after = _next_season(name, today) if upcoming else _current_or_next_season(name, today)
    neuter = name in _NEUTER_SEASONS
    if upcoming:
        label = f"{'volgend' if neuter else 'volgende'} {name}"
    else:
        label = f"{'dit' if neuter else 'deze'} {name}"
    return _days(first, after, label)


def _before_summer(match: re.Match[str], now: datetime) -> Period:
    first, _ = _next_season("zomer", now.date())
    return Period(now, _midnight(first), "voor de zomer")


def _after_summer(match: re.Match[str], now: datetime) -> Period:
    _, after = _current_or_next_season("zomer", now.date())
    return _days(after, _month_start(after.year, after.month + 3), "na de zomer")


def _month_alone(match: re.Match[str], now: datetime) -> Period:
    name, year = match.group("month"), match.group("year")
    month = _month_number(name)
    label = f"in {name} {year}" if year else f"in {name}"
    return _month(_month_year(month, year, now.date()), month, label)


_COUNT = r"(?P<count>\d{1,2}|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf)"
_PART = r"(?P<part>ochtend|middag|avond|morgen)?"
_SEASON_NAMES = "|".join(SEASONS)

RULES: List[Rule] = [
    (re.compile(rf"\b{_PREFIX}\s+(?P<anchor>{_ANCHOR})"), _prefixed_date),
    (
        re.compile(rf"\b{_PREFIX}\s+(?P<month>{_FULL_MONTHS})(?:\s+(?P<year>\d{{4}}))?\b"),
        _prefixed_month,
    ),
    (
        re.compile(
            rf"\b(?P<part>begin|half|medio|midden|eind|einde)\s+(?P<month>{_FULL_MONTHS})"
            rf"(?:\s+(?P<year>\d{{4}}))?\b"
        ),
        _part_of_month,
    ),
    (re.compile(rf"(?<![\w/-])(?P<anchor>{DAY_MONTH})"), _explicit_date),
    (
        re.compile(rf"(?:\bop\s+|(?<![\w/-]))(?P<anchor>{NUMERIC_WITH_YEAR}|(?<=op ){NUMERIC})"),
        _explicit_date,
    ),
    (re.compile(r"\bvoor de zomer(?:vakantie)?\b"), _before_summer),
    (re.compile(r"\bna de zomer(?:vakantie)?\b"), _after_summer),
    (re.compile(rf"\bover\s+{_COUNT}\s+(?P<unit>dagen|dag|weken|week|maanden|maand)\b"), _in_time),
    (
        re.compile(
            rf"\b(?:de\s+)?komende\s+(?:{_COUNT}\s+)?(?P<unit>dagen|weken|week|maanden|maand)\b"
        ),
        _rolling,
    ),
    (re.compile(r"\b(?:binnenkort|de komende tijd|op korte termijn)\b"), _soon),
    (
        re.compile(
            rf"\b(?:(?P<which>dit|deze|in de|in het|komende|komend|volgende|volgend)\s+)?"
            rf"(?P<season>{_SEASON_NAMES})\b"
        ),
        _season,
    ),
    (re.compile(rf"\bovermorgen{_PART}\b"), _simple_day(2, "overmorgen")),
    (re.compile(rf"(?<!goede )\bmorgen{_PART}\b"), _simple_day(1, "morgen")),
    (re.compile(r"\bvandaag\b"), _simple_day(0, "vandaag")),
    (re.compile(r"\bvan(?:avond|middag|ochtend|morgen)\b"), _this_evening),
    (re.compile(r"\bgisteren\b"), _simple_day(-1, "gisteren")),
    (re.compile(r"\b(?:dit|komend|komende)\s+weekend\b"), _weekend_rule(0, "dit weekend")),
    (re.compile(r"\bvolgende?\s+weekend\b"), _weekend_rule(1, "volgend weekend")),
    (
        re.compile(
            rf"\b(?P<next>volgende week\s+)?(?:(?:aanstaande|komende|a s)\s+)?(?P<day>{WEEKDAY})"
            rf"{_PART}\b"
        ),
        _weekday,
    ),
    (re.compile(r"\bdeze week\b"), _week_rule(0, "deze week")),
    (re.compile(r"\bvolgende week\b"), _week_rule(1, "volgende week")),
    (re.compile(r"\bvorige week\b"), _week_rule(-1, "vorige week")),
    (re.compile(r"\bdeze maand\b"), _month_rule(0, "deze maand")),
    (re.compile(r"\bvolgende maand\b"), _month_rule(1, "volgende maand")),
    (re.compile(r"\bvorige maand\b"), _month_rule(-1, "vorige maand")),
    (re.compile(r"\bdit jaar\b"), _year_rule(0, "dit jaar")),
    (re.compile(r"\bvolgend jaar\b"), _year_rule(1, "volgend jaar")),
    (re.compile(r"\bin (?P<year>20\d\d)\b"), _in_year),
    (re.compile(rf"\b(?P<month>{_FULL_MONTHS})(?:\s+(?P<year>\d{{4}}))?\b"), _month_alone),
]


def clean_date_text(text: str) -> str:
    """Lower case, typographic quotes and dashes plain, punctuation (except date signs) removed."""
    text = text.lower().replace("’", "'").replace("–", "-").replace("—", "-")
    text = re.sub(r"[^\w\s/\-:.'’]", " ", text)
    text = re.sub(r"(?<!\d)[.:](?!\d)", " ", text)  # keep 12.30 and 19:30, drop sentence dots
    return re.sub(r"\s+", " ", text).strip()


def parse_period(text: str, now: datetime) -> Optional[Period]:
    """The first period named in ``text`` (rules from most to least specific), or None."""
    now = local(now)
    clean = clean_date_text(text)
    for pattern, build in RULES:
        for match in pattern.finditer(clean):
            period = build(match, now)
            if period is not None:
                return period
    return None
