"""The setup's questions, read the same on every channel: likely dates, answers, errors naming the step."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import InvalidTimezone
from handlers import circle_setup as setup
from handlers.parsing import parse_timezone, writes_month_first

WEDNESDAY = date(2026, 11, 25)
NAIROBI = setup.Asker(currency="KES", timezone="Africa/Nairobi", today=WEDNESDAY, month_first=False)


@pytest.mark.parametrize(("frequency", "today", "expected"), [
    ("monthly", WEDNESDAY, [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 31)]),
    ("monthly", date(2026, 11, 30), [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 31), date(2027, 1, 1)]),
    ("monthly", date(2026, 12, 10), [date(2026, 12, 15), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 15)]),
    ("weekly", WEDNESDAY, [date(2026, 11, 26), date(2026, 11, 28), date(2026, 11, 29), date(2026, 12, 5)]),
    ("biweekly", date(2026, 11, 27), [date(2026, 11, 28), date(2026, 11, 29), date(2026, 12, 5)]),  # Friday
    ("weekly", date(2026, 11, 28), [date(2026, 11, 29), date(2026, 12, 5), date(2026, 12, 6), date(2026, 12, 12)]),
])
def test_date_buttons_are_dates_a_family_would_pick(frequency, today, expected):
    assert setup.date_choices(frequency, today) == expected


def test_date_buttons_read_like_people_write_dates():
    labels = [label for label, _ in setup.choices("first_due", {"frequency": "monthly"}, NAIROBI)]
    assert labels == ["Mon 30 Nov", "Tue 1 Dec", "Tue 15 Dec", "Thu 31 Dec"]
    december = setup.Asker("KES", "Africa/Nairobi", date(2026, 12, 20), False)
    assert [label for label, _ in setup.choices("first_due", {"frequency": "monthly"}, december)][-1] == \
        "Sun 31 Jan 2027"


@pytest.mark.parametrize(("step", "text", "says"), [
    ("name", "   ", "I need a name"),
    ("amount", "lots", "I couldn't read “lots” as an amount"),
    ("amount", "-5", "I couldn't read “-5” as an amount"),
    ("members", "five", "“five” doesn't work as the number of members"),
    ("members", "1", "“1” doesn't work as the number of members"),
    ("members", "201", "“201” doesn't work as the number of members"),
    ("frequency", "5 December", "I couldn't read “5 December” as how often members pay"),
    ("first_due", "monthly", "I couldn't read “monthly” as a date. Try 5 Dec, 5/12"),
    ("first_due", "24 Nov 2026", "Tue 24 Nov has already passed"),
    ("first_due", "2028-01-01", "Sat 1 Jan 2028 is more than a year away"),
    ("order", "sideways", "I couldn't read “sideways” as a payout order"),
])
def test_a_bad_answer_names_the_question_it_answered(step, text, says):
    with pytest.raises(setup.SetupAnswerError) as error:
        setup.parse_answer(step, text, NAIROBI)
    assert error.value.words(NAIROBI).startswith(says)


def test_answers_become_the_circle_settings():
    state = setup.parse_line("Family Fund | 1,000 | 5 | every 10 days | Sat 5 Dec | drawn", NAIROBI)
    assert state == {"name": "Family Fund", "amount": 100000, "currency": "KES", "members": 5,
                     "frequency": "every_n_days", "every_days": 10, "first_due": "2026-12-05",
                     "order": "DRAWN_AT_START"}
    assert setup.next_step(state) == "review" and setup.next_step({"name": "x"}) == "amount"
    review = setup.review(state, NAIROBI)
    assert "every 10 days" in review and "Sat 5 Dec" in review and "Kenya Time (Africa/Nairobi)" in review


@pytest.mark.parametrize(("region", "month_first"), [("US", True), ("PH", True), ("PR", True), ("KE", False),
                                                     ("NG", False), ("GB", False), ("JM", False), ("CA", False),
                                                     ("IN", False), ("", False), ("ZZ", False)])
def test_slashes_are_month_first_only_where_people_write_them_so(region, month_first):
    assert writes_month_first(region) is month_first


@pytest.mark.parametrize(("text", "zone"), [
    ("Nairobi", "Africa/Nairobi"), ("new york", "America/New_York"), ("AFRICA/LAGOS", "Africa/Lagos"),
    ("Sao Paulo", "America/Sao_Paulo"), ("buenos aires", "America/Argentina/Buenos_Aires"),
    ("Indianapolis", "America/Indiana/Indianapolis"), ("  london ", "Europe/London"), ("UTC", "UTC"),
])
def test_a_timezone_by_city_or_iana_name(text, zone):
    assert parse_timezone(text) == zone


@pytest.mark.parametrize("text", ["", "Atlantis", "Kenya", "America", "localtime", "x" * 100, "../etc/passwd"])
def test_an_unknown_timezone_is_refused(text):
    with pytest.raises(InvalidTimezone):
        parse_timezone(text)
