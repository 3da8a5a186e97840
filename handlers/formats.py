"""Dates as families say them ("Sat 5 Dec"), the same on every channel, through Babel.

A date is a day in the circle's own calendar (due dates are stored as local dates), so it needs no
timezone here; "today" does: callers pass the circle's local date (schedule.local_date), which also
decides whether the year is worth saying.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

LOCALE = "en"  # one language for now; the reader's own comes with the language catalogs


def day(when: date | str, today: date | str) -> str:
    """'Sat 5 Dec', or 'Tue 12 Jan 2027' when it is not this year. ISO strings (outbox payloads) work too."""
    when, today = _as_date(when), _as_date(today)
    pattern = "EEE d MMM" if when.year == today.year else "EEE d MMM y"
    return format_date(when, pattern, locale=LOCALE)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def names(people: list[str] | None, *, most: int = 12) -> str:
    """'Alice, Tom and Amina', or 'Alice, Tom … and 188 more': a list that fits any circle's size
    (200 members' names would not fit a WhatsApp message)."""
    people = list(people or [])
    if len(people) > most:
        return f"{', '.join(people[:most])} and {len(people) - most} more"
    return ", ".join(people)
