"""Dates and lists as families say them ("Sat 5 Dec", "Alice, Tom and Amina"), the same on every
channel, in the language spoken (handlers/i18n.py), through Babel.

A date is a day in the circle's own calendar (due dates are stored as local dates), so it needs no
timezone here; "today" does: callers pass the circle's local date (schedule.local_date), which also
decides whether the year is worth saying.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date, format_skeleton
from babel.lists import format_list

from handlers import i18n


def day(when: date | str, today: date | str) -> str:
    """'Sat 5 Dec', or 'Tue 12 Jan 2027' when it is not this year, in the reader's language and its own
    order of day and month. ISO strings (outbox payloads) work too."""
    when, today = _as_date(when), _as_date(today)
    this_year = when.year == today.year
    if i18n.current() == i18n.DEFAULT:  # CLDR's English puts the month first ("Sat, Dec 5")
        return format_date(when, "EEE d MMM" if this_year else "EEE d MMM y", locale="en")
    return format_skeleton("MMMEd" if this_year else "yMMMEd", when, locale=i18n.locale(i18n.current()))


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def names(people: list[str] | None, *, most: int = 12) -> str:
    """'Alice, Tom, Amina', or 'Alice, Tom … and 188 more': a list that fits any circle's size
    (200 members' names would not fit a WhatsApp message). Other languages join it their own way."""
    people = list(people or [])
    shown, more = people[:most], len(people) - most
    more_text = i18n.ngettext("{n} more", "{n} more", more) if more > 0 else ""
    if i18n.current() == i18n.DEFAULT:  # as the bot has always written it: "and" only before "N more"
        return ", ".join(shown) + (f" and {more_text}" if more_text else "")
    listed = [*shown, more_text] if more_text else shown
    return format_list(listed, locale=i18n.locale(i18n.current())) if listed else ""
