"""Due dates follow the calendar a family expects; dates and zones typed in chat are checked."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidDate, InvalidSchedule, InvalidTimezone
from core.schedule import (
    FREQUENCIES,
    due_date,
    local_date,
    parse_date,
    validate_frequency,
    validate_timezone,
)


def monthly(first_due: date, cycles: int) -> list[date]:
    return [due_date(first_due, "monthly", None, n) for n in range(1, cycles + 1)]


# --- monthly -------------------------------------------------------------------------------------
def test_month_end_through_a_leap_year():
    assert monthly(date(2028, 1, 31), 5) == [
        date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30), date(2028, 5, 31),
    ]


def test_month_end_through_a_common_year_and_into_the_next():
    dates = monthly(date(2026, 1, 31), 13)
    assert dates[:4] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert dates[-1] == date(2027, 1, 31)


def test_short_month_does_not_pull_later_dates_back():
    assert monthly(date(2026, 8, 31), 3) == [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]


@pytest.mark.parametrize(
    ("first_due", "cycle", "expected"),
    [
        (date(2026, 1, 29), 2, date(2026, 2, 28)),
        (date(2028, 1, 29), 2, date(2028, 2, 29)),
        (date(2026, 1, 30), 2, date(2026, 2, 28)),
        (date(2026, 1, 30), 3, date(2026, 3, 30)),
        (date(2026, 11, 30), 4, date(2027, 2, 28)),
        (date(2026, 12, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 1), 25, date(2028, 3, 1)),
    ],
)
def test_monthly_table(first_due, cycle, expected):
    assert due_date(first_due, "monthly", None, cycle) == expected


@given(first_due=st.dates(date(2000, 1, 1), date(2100, 12, 31)), cycles=st.integers(2, 40))
def test_monthly_dates_increase_and_keep_the_day_when_they_can(first_due, cycles):
    dates = monthly(first_due, cycles)
    assert all(earlier < later for earlier, later in zip(dates, dates[1:]))
    for offset, due in enumerate(dates):
        months = first_due.month - 1 + offset
        assert (due.year, due.month) == (first_due.year + months // 12, months % 12 + 1)
        assert due.day == min(first_due.day, calendar.monthrange(due.year, due.month)[1])


# --- fixed intervals ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frequency", "every_days", "cycle", "expected"),
    [
        ("weekly", None, 1, date(2026, 2, 26)),
        ("weekly", None, 2, date(2026, 3, 5)),
        ("biweekly", None, 3, date(2026, 3, 26)),
        ("every_n_days", 10, 2, date(2026, 3, 8)),
        ("every_n_days", 1, 4, date(2026, 3, 1)),
        ("every_n_days", 366, 2, date(2027, 2, 27)),
    ],
)
def test_fixed_intervals(frequency, every_days, cycle, expected):
    assert due_date(date(2026, 2, 26), frequency, every_days, cycle) == expected


@given(
    first_due=st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    schedule=st.sampled_from([("weekly", None, 7), ("biweekly", None, 14)])
    | st.integers(1, 366).map(lambda days: ("every_n_days", days, days)),
    cycle=st.integers(1, 200),
)
def test_fixed_intervals_step_evenly(first_due, schedule, cycle):
    frequency, every_days, step = schedule
    gap = due_date(first_due, frequency, every_days, cycle + 1) - due_date(first_due, frequency, every_days, cycle)
    assert gap == timedelta(days=step)


def test_cycle_numbers_start_at_one():
    with pytest.raises(ValueError):
        due_date(date(2026, 1, 1), "weekly", None, 0)


# --- validation -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frequency", "every_days"),
    [("weekly", None), ("biweekly", None), ("monthly", None), ("every_n_days", 1), ("every_n_days", 366)],
)
def test_valid_frequencies(frequency, every_days):
    assert frequency in FREQUENCIES
    validate_frequency(frequency, every_days)


@pytest.mark.parametrize(
    ("frequency", "every_days", "reason"),
    [
        ("daily", None, "unknown_frequency"),
        ("Monthly", None, "unknown_frequency"),
        ("every_n_days", None, "every_days_required"),
        ("every_n_days", 0, "every_days_out_of_range"),
        ("every_n_days", 367, "every_days_out_of_range"),
        ("every_n_days", True, "every_days_out_of_range"),
        ("every_n_days", 7.0, "every_days_out_of_range"),
        ("weekly", 7, "every_days_not_allowed"),
        ("monthly", 30, "every_days_not_allowed"),
    ],
)
def test_invalid_frequencies(frequency, every_days, reason):
    with pytest.raises(InvalidSchedule) as error:
        validate_frequency(frequency, every_days)
    assert error.value.context == {"reason": reason}


def test_due_date_refuses_an_invalid_schedule():
    with pytest.raises(InvalidSchedule):
        due_date(date(2026, 1, 1), "every_n_days", None, 2)


# --- timezones ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Europe/Berlin", "Africa/Lagos", "America/Argentina/Buenos_Aires", "UTC"])
def test_known_timezones(name):
    assert validate_timezone(name) == ZoneInfo(name)


@pytest.mark.parametrize(
    "name",
    ["", "Mars/Olympus", "europe/berlin", "America", "../etc/passwd", "/etc/localtime", "Europe//Berlin",
     "Europe/Berlin\x00", "localtime", "zone.tab", "A" * 65],
)
def test_unknown_timezones(name):
    with pytest.raises(InvalidTimezone) as error:
        validate_timezone(name)
    assert error.value.context == {"name": name}


@given(st.text(max_size=70))
def test_any_text_is_a_zone_or_a_clean_refusal(name):
    try:
        assert isinstance(validate_timezone(name), ZoneInfo)
    except InvalidTimezone:
        pass


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        # Berlin moves to UTC+2 at 01:00Z on 29 March 2026.
        (datetime(2026, 3, 29, 23, 30, tzinfo=timezone.utc), "Europe/Berlin", date(2026, 3, 30)),
        (datetime(2026, 3, 28, 23, 30, tzinfo=timezone.utc), "Europe/Berlin", date(2026, 3, 29)),
        (datetime(2026, 3, 28, 22, 59, tzinfo=timezone.utc), "Europe/Berlin", date(2026, 3, 28)),
        (datetime(2026, 3, 30, 2, 0, tzinfo=timezone.utc), "America/New_York", date(2026, 3, 29)),
        (datetime(2026, 1, 1, 11, 0, tzinfo=timezone.utc), "Pacific/Kiritimati", date(2026, 1, 2)),
        (datetime(2026, 1, 1, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo")), "UTC", date(2025, 12, 31)),
    ],
)
def test_local_date(now, tz, expected):
    assert local_date(now, tz) == expected


def test_local_date_refuses_naive_and_unknown():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 29, 23, 30), "Europe/Berlin")
    with pytest.raises(InvalidTimezone):
        local_date(datetime(2026, 3, 29, 23, 30, tzinfo=timezone.utc), "Nowhere")


# --- typed dates ----------------------------------------------------------------------------------
TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026/12/01", date(2026, 12, 1)),
        ("2026-1-5", date(2026, 1, 5)),
        (" 2028-02-29\n", date(2028, 2, 29)),
        ("5 December", date(2026, 12, 5)),
        ("5 Dec", date(2026, 12, 5)),
        ("5 dec.", date(2026, 12, 5)),
        ("5th of December", date(2026, 12, 5)),
        ("December 5", date(2026, 12, 5)),
        ("Dec 5, 2026", date(2026, 12, 5)),
        ("12 Jan 2027", date(2027, 1, 12)),
        ("12 January", date(2027, 1, 12)),  # no year: the next 12 January
        ("25 Nov", date(2026, 11, 25)),  # today counts
        ("24 Nov", date(2027, 11, 24)),  # yesterday's date means next year's
        ("3 Sept", date(2027, 9, 3)),
        ("5/12", date(2026, 12, 5)),  # day first
        ("05/12/2026", date(2026, 12, 5)),
        ("5.12.26", date(2026, 12, 5)),
        ("5-12", date(2026, 12, 5)),
        ("1/2", date(2027, 2, 1)),
        ("today", date(2026, 11, 25)),
        ("Tomorrow", date(2026, 11, 26)),
        ("saturday", date(2026, 11, 28)),
        ("Sat", date(2026, 11, 28)),
        ("next sat", date(2026, 11, 28)),
        ("on Friday", date(2026, 11, 27)),
        ("wednesday", date(2026, 12, 2)),  # a weekday is never today
        ("Sat 5 Dec", date(2026, 12, 5)),  # as the date buttons write it
        ("Tue 12 Jan 2027", date(2027, 1, 12)),
    ],
)
def test_parse_date_reads_what_families_type(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), [("12/5", date(2026, 12, 5)), ("1/2/2027", date(2027, 1, 2)),
                                                ("2026-12-05", date(2026, 12, 5)), ("5 Dec", date(2026, 12, 5))])
def test_parse_date_reads_slashes_month_first_for_us_style_writers(text, expected):
    assert parse_date(text, TODAY, month_first=True) == expected


@pytest.mark.parametrize(
    "text",
    ["2026.12.01", "2026-12/01", "2026-02-29", "2026-13-01", "2026-00-10", "0000-01-01", "2026-12-01T10:00",
     "20261201", "", "   ", "٢٠٢٦-١٢-٠١", "2026-001-01", "13/13", "0/12", "32 Dec", "31 April", "31/4",
     "5 Decembre", "december", "next", "monthly", "fooday", "Fri 5 Dec", "sat sat", "1/2/3/4", "5/12/123",
     "5 Dec 26", "yesterday", "29 Feb", "in two weeks", "x" * 100],
)
def test_parse_date_refuses_everything_else(text):
    with pytest.raises(InvalidDate) as error:
        parse_date(text, TODAY)
    assert error.value.context == {"text": text.strip()[:40]}


@given(st.dates())
def test_parse_date_reads_isoformat(day):
    assert parse_date(day.isoformat(), TODAY) == day


@given(st.dates(min_value=TODAY, max_value=TODAY + timedelta(days=364)))
def test_a_date_without_a_year_is_the_next_one_from_today(day):
    assert parse_date(f"{day.day} {calendar.month_name[day.month]}", TODAY) == day


@pytest.mark.parametrize(("language", "typed"), [
    ("fr", "5 déc."), ("fr", "le 5 decembre"), ("fr", "sam. 5 déc."), ("es", "5 de diciembre"),
    ("pt", "5 de dezembro"), ("sw", "Jumamosi 5 Desemba"), ("ar", "٥ ديسمبر"), ("am", "ዲሴምበር 5"),
])
def test_dates_in_the_readers_language(language: str, typed: str) -> None:
    assert parse_date(typed, date(2026, 12, 2), language=language) == date(2026, 12, 5)


def test_a_foreign_month_name_is_read_only_in_its_language() -> None:
    with pytest.raises(InvalidDate):
        parse_date("5 Desemba", date(2026, 12, 2))  # Kiswahili, read as English
    with pytest.raises(InvalidDate):
        parse_date("5 de banana", date(2026, 12, 2), language="es")
    with pytest.raises(InvalidDate):
        parse_date("dimanche 5 déc.", date(2026, 12, 2), language="fr")  # the 5th is a Saturday
