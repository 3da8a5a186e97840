"""What people type, turned into core's values. Shared by every channel, so both apps read alike."""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import re
import zoneinfo
from datetime import date
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from core import errors, schedule
from core.models import PayoutOrder
from core.money import normalize_currency, parse_amount
from core.reminders import ReminderSettings
from handlers import i18n

FREQUENCY_WORDS = {
    "weekly": ("weekly", None), "week": ("weekly", None),
    "biweekly": ("biweekly", None), "fortnightly": ("biweekly", None), "every 2 weeks": ("biweekly", None),
    "monthly": ("monthly", None), "month": ("monthly", None),
}
ORDER_WORDS = {"random": PayoutOrder.RANDOM, "drawn": PayoutOrder.DRAWN_AT_START,
               "drawn at start": PayoutOrder.DRAWN_AT_START, "fixed": PayoutOrder.FIXED}
_EVERY_N_DAYS = re.compile(r"^every\s+(\d{1,3})\s+days?$")
_CODE = re.compile(r"\b([A-Za-z]{3})\b")


def parse_frequency(text: str) -> tuple[str, int | None]:
    words = " ".join(text.lower().split())
    if words in FREQUENCY_WORDS:
        return FREQUENCY_WORDS[words]
    match = _EVERY_N_DAYS.match(words)
    if match:
        every = int(match.group(1))
        schedule.validate_frequency("every_n_days", every)
        return "every_n_days", every
    raise errors.InvalidSchedule(reason="unknown_frequency")


def parse_order(text: str) -> PayoutOrder:
    words = " ".join(text.lower().split())
    if words not in ORDER_WORDS:
        raise errors.InvalidPayoutOrder(reason="unknown_mode")
    return ORDER_WORDS[words]


def parse_money(text: str, default_currency: str) -> tuple[int, str]:
    """'50 USD', 'KES 1,000', '50' → (minor units, currency); the currency defaults when absent."""
    currency = default_currency
    for candidate in _CODE.findall(text):
        try:
            currency = normalize_currency(candidate)
            break
        except errors.UnknownCurrency:
            continue
    return parse_amount(text, currency), currency


def parse_member_count(text: str) -> int:
    words = text.strip()
    if not words.isascii() or not words.isdigit() or len(words) > 3:
        raise errors.InvalidCircleSettings(field="total_members", reason="not_a_number")
    return int(words)


def parse_due_date(text: str, today: date, *, month_first: bool = False) -> date:
    return schedule.parse_date(text, today, month_first=month_first, language=i18n.current())


@functools.cache
def writes_month_first(region: str) -> bool:
    """Whether people of a country write 5/12 for May 12: CLDR's short date pattern of the country's
    most spoken language puts the month first (the US, the Philippines, Panama, Puerto Rico, …);
    everywhere else slashes are read day first."""
    spoken = sorted(get_global("territory_languages").get(region, {}).items(),
                    key=lambda item: -item[1].get("population_percent", 0))
    for language, _ in spoken:
        try:
            pattern = Locale.parse(f"{language}_{region}").date_formats["short"].pattern
        except (UnknownLocaleError, ValueError):
            continue
        letters = [c for c in pattern if c in "dMy"]
        return letters[:1] == ["M"]
    return False


def parse_hour(text: str) -> int:
    """'9', '09', '9:00', '18h' → the hour; minutes other than :00 are refused (ticks are hourly)."""
    match = re.fullmatch(r"(\d{1,2})(?::00|h)?", text.strip().lower())
    if not match or int(match.group(1)) > 23:
        raise errors.InvalidCircleSettings(field="hour", reason="not_an_hour")
    return int(match.group(1))


def parse_reminders(words: list[str], current: ReminderSettings) -> ReminderSettings:
    """`3,1,0 at 9`, `overdue 2`, `off` — changes on top of the current settings."""
    settings = dataclasses.asdict(current)
    tokens = [w.lower() for w in words]
    while tokens:
        token = tokens.pop(0)
        if token == "off":
            settings.update(reminder_days=[], overdue_reminders=0)
        elif token == "at" and tokens:
            settings["reminder_hour"] = parse_hour(tokens.pop(0))
        elif token == "overdue" and tokens and tokens[0].isdigit() and len(tokens[0]) <= 2:
            settings["overdue_reminders"] = int(tokens.pop(0))
        elif re.fullmatch(r"\d{1,2}(,\d{1,2})*", token):
            settings["reminder_days"] = [int(d) for d in token.split(",")]
        else:
            raise errors.InvalidCircleSettings(field="reminders", reason="unreadable")
    return ReminderSettings(**settings)


def parse_autodraw(words: list[str], current: ReminderSettings) -> ReminderSettings:
    """`on`, `off`, `on at 18`, `at 18`."""
    settings = dataclasses.replace(current)
    tokens = [w.lower() for w in words]
    while tokens:
        token = tokens.pop(0)
        if token in ("on", "off"):
            settings = dataclasses.replace(settings, auto_draw=token == "on")
        elif token == "at" and tokens:
            settings = dataclasses.replace(settings, draw_hour=parse_hour(tokens.pop(0)))
        else:
            raise errors.InvalidCircleSettings(field="autodraw", reason="unreadable")
    return settings


def parse_timezone(text: str) -> str:
    """An IANA name in any case ("africa/nairobi"), or a city as the zone names it ("Nairobi",
    "new york", "Sao Paulo"); a city several zones end with is refused rather than guessed."""
    words = " ".join(text.split())
    if not words or len(words) > 64:
        raise errors.InvalidTimezone(name=words[:64])
    wanted = words.lower().replace(" ", "_")
    names = _zone_names()
    if wanted in names["full"]:
        schedule.validate_timezone(names["full"][wanted])  # refuses the host's own ("localtime")
        return names["full"][wanted]
    matches = names["city"].get(wanted, [])
    if len(matches) > 1:  # an old alias beside today's name (America/Buenos_Aires): keep today's
        matches = [name for name in matches if name in names["current"]]
    if len(matches) != 1:
        raise errors.InvalidTimezone(name=words)
    return matches[0]


@functools.cache
def _zone_names() -> dict[str, dict]:
    full = {name.lower(): name for name in zoneinfo.available_timezones()}
    city: dict[str, list[str]] = {}
    for name in sorted(full.values()):
        area, _, place = name.rpartition("/")
        if area and area.split("/")[0] in _AREAS:
            city.setdefault(place.lower(), []).append(name)
    table = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone1970.tab").read_text()
    current = {line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")}
    return {"full": full, "city": city, "current": current}


_AREAS = {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}


def verify_argument(text: str) -> int | str | None:
    """/verify's (WhatsApp: VERIFY's) argument: a cycle number, "order", None for the latest, "?" unreadable."""
    text = text.strip().lower()
    if not text or text == "order":
        return text or None
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 and int(text) > 0 else "?"


def member_named(text: str, people: list) -> Any | None:
    """The one person whose name is `text`, or starts with it, ignoring case and a leading @ (so
    `@amina` finds Amina on WhatsApp, who has no Telegram handle); None when none or several fit."""
    wanted = " ".join(text.removeprefix("@").split()).lower()
    if not wanted:
        return None
    matches = [p for p in people if p.full_name.lower() == wanted] or [
        p for p in people if p.full_name.lower().startswith(wanted)]
    return matches[0] if len(matches) == 1 else None


_REJECT_REASON = re.compile(r"^(?P<who>.+?)\s+(?:(?P<short>short)(?:\s+(?P<arrived>.+))?"
                            r"|(?P<not_received>not\s+received)|(?P<other>other))$", re.IGNORECASE)


def reject_reason(text: str, currency: str) -> tuple[str, str | None, int | None]:
    """'K7P2Q short 300' → ('K7P2Q', 'short', 30000); 'Tom not received' → ('Tom', 'not_received', None);
    without a reason word, the whole text names the payment."""
    match = _REJECT_REASON.match(text.strip())
    if match is None:
        return text.strip(), None, None
    reason = next(r for r in ("short", "not_received", "other") if match[r])
    arrived = parse_amount(match["arrived"], currency) if match["arrived"] else None
    return match["who"], reason, arrived


def storable(text: str) -> bool:
    """Whether the database can keep `text`: PostgreSQL's text holds no NUL character, and UTF-8 no
    lone surrogate (JSON can carry both). Anything else someone types is fine."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
