"""When each cycle of a circle is due, and what "today" means for the circle.

Due dates are pure calendar arithmetic on dates (never datetimes), so a cycle's due date cannot
drift with daylight saving time or with the server's clock; the circle's timezone only decides
which calendar day it is right now.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import InvalidSchedule, InvalidTimezone

FREQUENCIES = ("weekly", "biweekly", "monthly", "every_n_days")

_FIXED_STEP_DAYS = {"weekly": 7, "biweekly": 14}
_MAX_EVERY_DAYS = 366
_MAX_TZ_NAME = 64
# Files in the zoneinfo directory that name the *server's* zone rather than a place: a circle
# using them would change its calendar when the bot moves to another host.
_HOST_ZONES = frozenset({"localtime", "posixrules"})
# Year first is the only written form no family member can read two ways: "01/12/2026" is
# 1 December in most of the world and 12 January in the US, so day-first forms are refused.
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
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(validate_timezone(tz)).date()


def parse_date(text: str) -> date:
    """Read a date typed in chat: YYYY-MM-DD or YYYY/MM/DD only (see _ISO_DATE for why)."""
    match = _ISO_DATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidSchedule(reason="bad_date")
    year, _, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise InvalidSchedule(reason="bad_date") from exc
