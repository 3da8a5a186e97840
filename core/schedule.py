"""When each cycle of a circle is due, and what "today" means for the circle.

Due dates are pure calendar arithmetic on dates (never datetimes), so a cycle's due date cannot
drift with daylight saving time or with the server's clock; the circle's timezone only decides
which calendar day it is right now.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import UnknownLocaleError
from babel.dates import get_day_names, get_month_names

from core.errors import InvalidDate, InvalidSchedule, InvalidTimezone

FREQUENCIES = ("weekly", "biweekly", "monthly", "every_n_days")

_FIXED_STEP_DAYS = {"weekly": 7, "biweekly": 14}
_MAX_EVERY_DAYS = 366
_MAX_TZ_NAME = 64
# Files in the zoneinfo directory that name the *server's* zone rather than a place: a circle
# using them would change its calendar when the bot moves to another host.
_HOST_ZONES = frozenset({"localtime", "posixrules"})
# Year first is the only written form no family member can read two ways: "01/12/2026" is
# 1 December in most of the world and 12 January in the US; parse_date reads the others by region.
_ISO_DATE = re.compile(r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})")


def validate_frequency(frequency: str, every_days: int | None) -> None:
    """Refuse a schedule before it is stored, so due_date never sees a nonsensical one."""
    if frequency not in FREQUENCIES:
        raise InvalidSchedule(reason="unknown_frequency")
    if frequency != "every_n_days":
        if every_days is not None:
            raise InvalidSchedule(reason="every_days_not_allowed")
        return
    if every_days is None:
        raise InvalidSchedule(reason="every_days_required")
    if isinstance(every_days, bool) or not isinstance(every_days, int):
        raise InvalidSchedule(reason="every_days_out_of_range")
    if not 1 <= every_days <= _MAX_EVERY_DAYS:
        raise InvalidSchedule(reason="every_days_out_of_range")


def due_date(first_due: date, frequency: str, every_days: int | None, cycle_number: int) -> date:
    """Due date of a cycle, computed from the first one so errors never accumulate.

    Monthly dates keep first_due's day and fall back to the month's last day when it is shorter
    (a circle paying on the 31st pays on 30 April, then on 31 May again).
    """
    validate_frequency(frequency, every_days)
    if cycle_number < 1:
        raise ValueError(f"cycle_number starts at 1, got {cycle_number}")
    steps = cycle_number - 1
    if frequency == "monthly":
        return _add_months(first_due, steps)
    step_days = every_days if frequency == "every_n_days" else _FIXED_STEP_DAYS[frequency]
    return first_due + timedelta(days=step_days * steps)


def _add_months(anchor: date, months: int) -> date:
    month_index = anchor.month - 1 + months
    year, month = anchor.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def validate_timezone(name: str) -> ZoneInfo:
    """Turn a user-typed IANA name into a zone, refusing anything that is not one."""
    if not isinstance(name, str) or not name or len(name) > _MAX_TZ_NAME or name in _HOST_ZONES:
        raise InvalidTimezone(name=name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # ValueError: malformed or non-TZif file; OSError: a directory such as "America".
        raise InvalidTimezone(name=name) from exc


def local_date(now: datetime, tz: str) -> date:
    """The calendar day the circle is living in; a naive `now` would silently mean server time."""
    return local_time(now, tz).date()


def local_time(now: datetime, tz: str) -> datetime:
    """`now` on the circle's clock."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(validate_timezone(tz))


def parse_date(text: str, today: date, *, month_first: bool = False, language: str = "en") -> date:
    """Read a date as a family types it, relative to the circle's `today`.

    Accepted: 2026-12-05 (year first is never ambiguous), 5/12, 05/12/2026, 5.12.26, 5 December,
    5 Dec 2026, Dec 5, 12 Jan 2027, Sat 5 Dec (the weekday must match), today, tomorrow, saturday,
    next sat. Numbers with slashes, dots or dashes are day first, or month first when `month_first`
    (the person writes dates US-style). A date without a year is the next such day from today (today
    included); a weekday is the first one after today. Anything else, or a day that does not exist, raises InvalidDate.
    Month and weekday names may also be in `language` (CLDR's, accents optional): "5 déc.", "5 de
    diciembre", "Jumamosi 5 Desemba", "٥ ديسمبر".
    """
    if not isinstance(text, str) or len(text) > _MAX_DATE_TEXT:
        raise InvalidDate(text=str(text)[:_MAX_DATE_TEXT])
    words = _in_english(" ".join(text.lower().replace(",", " ").split()), language)
    try:
        found = _read_date(words, today, month_first)
    except ValueError:  # a day that does not exist, such as 31 April
        found = None
    if found is None:
        raise InvalidDate(text=text.strip())
    return found


def _read_date(words: str, today: date, month_first: bool) -> date | None:
    if words in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[words])
    if match := _ISO_DATE.fullmatch(words):
        year, _, month, day = match.groups()
        return date(int(year), int(month), int(day))
    if match := _NUMERIC_DATE.fullmatch(words):
        first, _, second, year = match.groups()
        day, month = (second, first) if month_first else (first, second)
        return _dated(int(day), int(month), year, today)
    if (match := _WEEKDAY.fullmatch(words)) and match.group(1) in _WEEKDAYS:
        wanted = _WEEKDAYS[match.group(1)]
        return today + timedelta(days=(wanted - today.weekday() - 1) % 7 + 1)
    named_day, _, rest = words.partition(" ")
    named_day = named_day.rstrip(".")
    if named_day in _WEEKDAYS and rest and (rest[0].isdigit() or rest.split()[0] in _MONTHS):  # "Sat 5 Dec"
        found = _read_date(rest, today, month_first)
        return found if found is not None and found.weekday() == _WEEKDAYS[named_day] else None
    if match := _DAY_MONTH.fullmatch(words):
        day, month, year = match.groups()
    elif match := _MONTH_DAY.fullmatch(words):
        month, day, year = match.groups()
    else:
        return None
    return _dated(int(day), _MONTHS[month], year, today) if month in _MONTHS else None


def _dated(day: int, month: int, year: str | None, today: date) -> date:
    if year is not None:
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    for candidate_year in (today.year, today.year + 1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:  # 29 February in a common year: try the next
            continue
        if candidate >= today:
            return candidate
    raise ValueError("no such day within a year")


def _names(babel_names, **spoken: int) -> dict[str, int]:
    """Babel's wide and abbreviated English names (months or weekdays), lowercase, plus `spoken` ones."""
    names = {name.lower().rstrip("."): number for width in ("wide", "abbreviated")
             for number, name in babel_names(width, locale="en").items()}
    return names | spoken


def _in_english(words: str, language: str) -> str:
    """`language`'s month and weekday names as English ones, and digits as ASCII: '5 de dic.' → '5 dec'."""
    if language == "en":
        return words
    names = _local_names(language)
    said = []
    for word in words.split():
        folded = _folded(word.rstrip("."))
        if folded in names:
            said.append(names[folded])
        elif folded not in _CONNECTORS:
            said.append("".join(str(int(ch)) if ch.isdigit() else ch for ch in word))
    return " ".join(said)


@functools.cache
def _local_names(language: str) -> dict[str, str]:
    """A language's month and weekday names (every width and form CLDR has), folded → English abbreviation."""
    english_months = get_month_names("abbreviated", locale="en")
    english_days = get_day_names("abbreviated", locale="en")
    names: dict[str, str] = {}
    try:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in get_month_names(width, context, locale=language).items():
                    names[_folded(name.rstrip("."))] = english_months[number].lower()
                for number, name in get_day_names(width, context, locale=language).items():
                    names[_folded(name.rstrip("."))] = english_days[number].lower()
    except (ValueError, UnknownLocaleError):
        return {}
    return names


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_CONNECTORS = {"de", "del", "le", "of"}  # "5 de diciembre", "le 5 décembre": words dates are written with
_MAX_DATE_TEXT = 40
_MONTHS = _names(get_month_names, sept=9)
_WEEKDAYS = _names(get_day_names, tues=1, weds=2, thur=3, thurs=3)
_RELATIVE_DAYS = {"today": 0, "tomorrow": 1}
_YEAR = r"(?:\s+([0-9]{4}))?"
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})(?:\2([0-9]{4}|[0-9]{2}))?")
_DAY_MONTH = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+([a-z]+)\.?" + _YEAR)
_MONTH_DAY = re.compile(r"([a-z]+)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?" + _YEAR)
_WEEKDAY = re.compile(r"(?:(?:on|this|next|coming|this coming)\s+)?([a-z]+)\.?")
