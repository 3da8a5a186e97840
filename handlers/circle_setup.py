"""The questions of a circle's setup, how each answer is read, and the review before creating:
the same on every channel (Telegram shows choices as buttons, WhatsApp as numbered replies)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import get_timezone_location

from core.circles import MAX_FIRST_DUE_DAYS, MAX_MEMBERS, MIN_MEMBERS, CircleSettings
from core.errors import CoreError, DueDateInPast, InvalidCircleSettings
from core.models import PayoutOrder, User
from core.money import currency_for_region
from core.phones import phone_region, phone_timezone
from core.schedule import local_date
from core.users import clean_name
from handlers import formats, i18n, parsing
from handlers.i18n import N_, _
from handlers.telegram.texts import FREQUENCIES, ORDER_NAMES, every_days

QUESTIONS = {
    "name": N_("Let's set up your circle. What should it be called?"),
    "amount": N_("How much does each member pay per cycle? (e.g. 50, or 50 USD)"),
    "members": N_("How many members will the circle have, you included? (2–200)"),
    "frequency": N_("How often do members pay? Choose one, or type e.g. “every 10 days”."),
    "first_due": N_("When is the first payment due? Choose a date, or type one like 5 Dec or {example}."),
    "order": N_("How is the payout order decided?"),
    "timezone": N_("Which time zone should the circle's dates and reminders follow? Type a city, e.g. Nairobi, "
                   "Lagos or New York."),
}
STEPS = ["name", "amount", "members", "frequency", "first_due", "order"]  # the time zone is guessed, and changeable
# TRANSLATORS: the answers of a circle's setup, as buttons to change one; keep them short.
FIELDS = {"name": N_("Name"), "amount": N_("Amount"), "members": N_("Members"), "frequency": N_("How often"),
          "first_due": N_("First due date"), "order": N_("Payout order"), "timezone": N_("Time zone")}
# A bad answer names what was asked, gives examples and asks again (the question follows it).
RETRY = {
    "name": N_("I need a name of 1 to 64 characters, e.g. Family Fund."),
    "amount": N_("I couldn't read “{text}” as an amount. Try 50, 1,000 or 50 USD."),
    "members": N_("“{text}” doesn't work as the number of members: send a number from 2 to 200, you included, "
                  "e.g. 5."),
    "frequency": N_("I couldn't read “{text}” as how often members pay. Try weekly, every 2 weeks, monthly "
                    "or every 10 days."),
    "first_due": N_("I couldn't read “{text}” as a date. Try 5 Dec, {example}, 12 Jan 2027 or next Saturday."),
    "first_due_past": N_("{day} has already passed. Choose a date from today on."),
    "first_due_far": N_("{day} is more than a year away. Choose a date within a year."),
    "order": N_("I couldn't read “{text}” as a payout order. Choose one of the options."),
    "timezone": N_("I don't know the time zone “{text}”. Type a city such as Nairobi or New York, or a zone such "
                   "as Africa/Lagos."),
}
MEMBER_SIZES = (3, 4, 5, 6, 8, 10)
CHOICES = {  # offered as buttons on Telegram, as numbered replies on WhatsApp
    "frequency": [(N_("Weekly"), "weekly"), (N_("Every 2 weeks"), "biweekly"), (N_("Monthly"), "monthly")],
    "order": [(N_("Fair draw each cycle"), "random"), (N_("Draw the order now"), "drawn"),
              (N_("I'll set it"), "fixed")],
}
FREQUENCY_WORDS = FREQUENCIES
# TRANSLATORS: buttons under the review of a new circle; keep them short.
REVIEW_ACTIONS = [(N_("✅ Create"), "create"), (N_("✏️ Change"), "change"), (N_("✖️ Cancel"), "cancel")]
CANCELLED = N_("Setup cancelled. Nothing was created.")
MAX_ECHO = 40


@dataclass(frozen=True)
class Asker:
    """Who is answering, and what their answers mean: their currency, zone, today and date style."""

    currency: str
    timezone: str
    today: date
    month_first: bool

    @property
    def example(self) -> str:
        return "12/5" if self.month_first else "5/12"


def asker(user: User, now: datetime, state: dict[str, Any] | None = None) -> Asker:
    """The setup's reader: the zone chosen in this setup (`state`), else the phone country's main one."""
    region = phone_region(user.phone) or ""
    zone = (state or {}).get("timezone") or phone_timezone(user.phone)
    return Asker(currency=currency_for_region(region) or "USD", timezone=zone, today=local_date(now, zone),
                 month_first=parsing.writes_month_first(region))


def question(step: str, who: Asker) -> str:
    return QUESTIONS[step].format(example=who.example)


def choices(step: str, state: dict[str, Any], who: Asker) -> list[tuple[str, str]]:
    """(label, value) pairs for a step with a short list of likely answers; typing works too."""
    if step == "first_due":
        return [(formats.day(d, who.today), d.isoformat()) for d in date_choices(state.get("frequency"), who.today)]
    if step == "members":
        return [(str(n), str(n)) for n in MEMBER_SIZES]
    return [(str(label), value) for label, value in CHOICES.get(step, [])]


def date_choices(frequency: str | None, today: date) -> list[date]:
    """Dates a family would pick. Monthly: the 1st and the 15th, and month ends; otherwise the
    coming weekend (Saturday and Sunday) and the ones after: families pay around weekends."""
    if frequency == "monthly":
        first = _add_months(today.replace(day=1), 1)
        candidates = [first, _month_end(today), today.replace(day=15), _add_months(today.replace(day=15), 1),
                      _month_end(first), _add_months(first, 1)]
    else:
        saturday = today + timedelta(days=(5 - today.weekday() - 1) % 7 + 1)
        candidates = [today + timedelta(days=1), saturday, saturday + timedelta(days=1), saturday + timedelta(days=7)]
    return sorted({d for d in candidates if d > today})[:4]


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def parse_answer(step: str, text: str, who: Asker, state: dict[str, Any] | None = None) -> dict[str, Any]:
    """One answer parsed into JSON-safe values for the conversation state; a bad one raises
    SetupAnswerError naming the step, so the reply can say what was asked."""
    try:
        return _parse(step, text.strip(), who, state or {})
    except SetupAnswerError:
        raise
    except CoreError as error:
        raise SetupAnswerError(step, text, error) from error


def _parse(step: str, text: str, who: Asker, state: dict[str, Any]) -> dict[str, Any]:
    if step == "name":
        return {"name": clean_name(text, field="name", limit=64)}
    if step == "amount":
        amount, currency = parsing.parse_money(text, state.get("currency") or who.currency)
        return {"amount": amount, "currency": currency}
    if step == "members":
        members = parsing.parse_member_count(text)
        if not MIN_MEMBERS <= members <= MAX_MEMBERS:
            raise InvalidCircleSettings(field="total_members", reason="out_of_range")
        return {"members": members}
    if step == "frequency":
        frequency, every = parsing.parse_frequency(text)
        return {"frequency": frequency, "every_days": every}
    if step == "first_due":
        due = parsing.parse_due_date(text, who.today, month_first=who.month_first)
        if due < who.today:
            raise SetupAnswerError("first_due_past", text, DueDateInPast(due_date=due.isoformat()), day=due)
        if (due - who.today).days > MAX_FIRST_DUE_DAYS:
            raise SetupAnswerError("first_due_far", text, InvalidCircleSettings(field="first_due_date"), day=due)
        return {"first_due": due.isoformat()}
    if step == "timezone":
        return {"timezone": parsing.parse_timezone(text)}
    return {"order": parsing.parse_order(text).value}


class SetupAnswerError(CoreError):
    """A setup answer that could not be read: `step` says which question it answered."""

    key = "setup_answer"

    def __init__(self, step: str, text: str, cause: CoreError, day: date | None = None) -> None:
        super().__init__(step=step, text=text, cause=cause.key)
        self.step, self.text, self.day = step, text, day

    def words(self, who: Asker) -> str:
        day = formats.day(self.day, who.today) if self.day else ""
        return RETRY[self.step].format(text=self.text.strip()[:MAX_ECHO], example=who.example, day=day)


def parse_line(text: str, who: Asker) -> dict[str, Any]:
    """The one-line form: NAME | AMOUNT | MEMBERS | FREQUENCY | FIRST_DUE [| ORDER]."""
    state: dict[str, Any] = {}
    for step, part in zip(STEPS, (p.strip() for p in text.split("|"))):
        state.update(parse_answer(step, part, who, state))
    return state


def next_step(state: dict[str, Any]) -> str:
    """After an answer: the next question, or back to the review once every field has one (a
    "Change" re-asks one field only)."""
    return next((step for step in STEPS if step not in state), "review")


def zone_words(timezone: str) -> str:
    """'Kenya Time', 'United States (New York) Time': how CLDR names a zone for people, in their language."""
    return get_timezone_location(timezone, locale=i18n.locale(i18n.current()))


def review(state: dict[str, Any], who: Asker) -> str:
    if state["frequency"] in FREQUENCY_WORDS:
        every = str(FREQUENCY_WORDS[state["frequency"]])
    else:
        every = every_days(state.get("every_days") or 0)
    return "\n".join([
        _("Here's your circle. Create it, or change an answer first:"),
        _("• Name: {name}", name=state["name"]),
        # TRANSLATORS: {amount} is an amount with its currency, {frequency} how often ("monthly", "every 10 days").
        _("• Amount: {amount} per member, {frequency}", amount=i18n.money(state["amount"], state["currency"]),
          frequency=every),
        _("• Members: {members}, you included", members=state["members"]),
        _("• First payment due: {date}", date=formats.day(date.fromisoformat(state["first_due"]), who.today)),
        # TRANSLATORS: {order} is how the payout order is decided, e.g. "a fair draw each cycle".
        _("• Payout order: {order}", order=str(ORDER_NAMES[PayoutOrder(state["order"])])),
        # TRANSLATORS: {zone} is the zone's name for people ("Kenya Time"), {timezone} its code ("Africa/Nairobi").
        _("• Time zone: {zone} ({timezone}), for due dates, reminders and draws", zone=zone_words(who.timezone),
          timezone=who.timezone),
    ])


def circle_settings(state: dict[str, Any], timezone: str) -> CircleSettings:
    return CircleSettings(name=state["name"], amount_per_cycle=state["amount"], currency=state["currency"],
                          total_members=state["members"], frequency=state["frequency"],
                          every_days=state["every_days"], first_due_date=date.fromisoformat(state["first_due"]),
                          timezone=timezone, payout_order=PayoutOrder(state.get("order", "RANDOM")),
                          language=i18n.current())  # the organizer's, who is setting it up
