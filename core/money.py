"""Money as integers in minor units plus an ISO 4217 code, and the parsing of what people type.

Floats never touch an amount: a contribution of 0.1 + 0.2 must not become 0.30000000000000004,
and a pot must always equal the sum of its parts. Parsing works on the digits as text.

Ambiguous inputs, decided once here:
- A lone '.' or ',' followed by exactly three digits groups thousands ("1,000" and "1.000" are
  one thousand), so "50.500" USD is fifty thousand five hundred dollars. It is a decimal point
  instead after a zero ("0,500" is half), after space or apostrophe grouping ("1 000,500"), and
  for '.' in a three-digit currency, because Gulf prices are written "1.500 KD" for 1½ dinars.
- Digits from other scripts (Arabic-Indic, Devanagari, full-width …) are read as the digits they
  are, since phone keyboards in those regions type them; any Unicode space or an apostrophe groups.
- An unknown three-letter word next to the number ("50 XYZ", "50 now") is malformed, not an
  unknown currency: people type words, not codes.
- A currency symbol counts when it is the currency's English symbol or its symbol in an English
  locale of a country that uses it ("$" is CAD's in en_CA, "Ksh" is KES's in en_KE); another
  currency's symbol is a mismatch. A leading '+' is malformed; a minus or parentheses make the
  amount not positive.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale, localedata
from babel.numbers import (
    format_decimal,
    get_currency_precision,
    get_territory_currencies,
    list_currencies,
)

from core.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency

MAX_AMOUNT_MINOR = 10**12
_MAX_TEXT = 64
_SHAPE = re.compile(r"(?P<pre>[^0-9]*?)\s*(?P<num>[0-9](?:[0-9.,' ]*[0-9])?)\s*(?P<post>[^0-9]*)")
_GROUP_MARK = re.compile(r"[.,' ]")
_MINUS = ("-", "\u2212")


def normalize_currency(code: str) -> str:
    """Canonical code, so every stored currency compares equal to what babel knows."""
    normal = code.strip().upper()
    if not re.fullmatch("[A-Z]{3}", normal) or normal not in _known_codes():
        raise UnknownCurrency(code=code)
    return normal


def currency_exponent(code: str) -> int:
    """Minor-unit digits: amounts are stored as integers scaled by 10**exponent."""
    return get_currency_precision(normalize_currency(code))


@lru_cache(maxsize=4096)  # Babel is slow, and a circle shows the same few amounts again and again
def format_amount(minor: int, currency: str, locale: str = "en") -> str:
    """An amount as people write it: the ISO code, then the number grouped the locale's way, with
    minor units only when there are some ("KES 500", "USD 50.50", "KWD 1.500"); nobody writes
    shilling cents. The Decimal is built from the integer, so it is exact, and it parses back."""
    code = normalize_currency(currency)
    exponent = currency_exponent(code)
    pattern = "#,##0" if minor % 10**exponent == 0 else "#,##0." + "0" * exponent
    return f"{code} {format_decimal(Decimal(minor).scaleb(-exponent), format=pattern, locale=locale)}"


def currency_for_region(region: str) -> str | None:
    """The tender of a country today, to suggest a circle's currency from a phone number."""
    currencies = get_territory_currencies(region.strip().upper())
    return currencies[0] if currencies else None


def parse_amount(text: str, currency: str) -> int:
    """Minor units of `currency` in what a member typed, or a refusal saying why."""
    code = normalize_currency(currency)
    if len(text) > _MAX_TEXT:
        raise InvalidAmount(text=text, reason="malformed")
    shape = _SHAPE.fullmatch(_plain(text))
    if shape is None:
        raise InvalidAmount(text=text, reason="malformed")
    pre, post, negative = _take_sign(shape["pre"].strip(), shape["post"].strip())
    for marker in (pre, post):
        _check_marker(marker, code, text)
    minor = _to_minor(shape["num"], currency_exponent(code), text)
    if negative or minor == 0:
        raise InvalidAmount(text=text, reason="not_positive")
    if minor > MAX_AMOUNT_MINOR:
        raise InvalidAmount(text=text, reason="too_large")
    return minor


def _plain(text: str) -> str:
    """ASCII digits, plain spaces and one apostrophe, so the grammar below stays small."""
    out = []
    for char in text.strip():
        if char.isdecimal():
            out.append(str(unicodedata.decimal(char)))
        elif char.isspace():
            out.append(" ")
        else:
            out.append("'" if char == "\u2019" else char)
    return "".join(out)


def _take_sign(pre: str, post: str) -> tuple[str, str, bool]:
    if pre.startswith(_MINUS):
        return pre[1:].strip(), post, True
    if pre.endswith(_MINUS):
        return pre[:-1].strip(), post, True
    if pre.startswith("(") and post.endswith(")"):
        return pre[1:].strip(), post[:-1].strip(), True
    return pre, post, False


def _check_marker(marker: str, currency: str, text: str) -> None:
    if not marker:
        return
    key = " ".join(marker.split()).casefold()
    code = key.upper()
    if code == currency:
        return
    if re.fullmatch("[A-Z]{3}", code) and code in _known_codes():
        raise CurrencyMismatch(given=code, expected=currency)
    owners = _symbol_owners().get(key)
    if owners is None:
        raise InvalidAmount(text=text, reason="malformed")
    if currency not in owners:
        raise CurrencyMismatch(given=owners[0], expected=currency)


def _to_minor(number: str, exponent: int, text: str) -> int:
    decimal = _decimal_mark(number, exponent)
    whole, fraction = number.rpartition(decimal)[::2] if decimal else (number, "")
    groups = _GROUP_MARK.split(whole)
    well_grouped = len(groups) == 1 or (
        len(set(_GROUP_MARK.findall(whole))) == 1
        and 1 <= len(groups[0]) <= 3
        and not groups[0].startswith("0")
        and all(len(group) == 3 for group in groups[1:])
    )
    if not well_grouped or (decimal and not fraction.isdigit()):
        raise InvalidAmount(text=text, reason="malformed")
    if fraction[exponent:].strip("0"):
        raise InvalidAmount(text=text, reason="too_precise")
    cents = fraction[:exponent].ljust(exponent, "0")
    return int("".join(groups)) * 10**exponent + int(cents or "0")


def _decimal_mark(number: str, exponent: int) -> str | None:
    """Which of '.' and ',' is the decimal point, if either (rules in the module docstring)."""
    marks = [char for char in number if char in ".,"]
    if not marks:
        return None
    last = marks[-1]
    if len(set(marks)) == 2:
        return last
    if len(marks) > 1:
        return None
    head, _, tail = number.partition(last)
    groups_thousands = (
        len(tail) == 3
        and tail.isdigit()
        and not head.startswith("0")
        and not any(mark in head for mark in " '")
        and not (last == "." and exponent == 3)
    )
    return None if groups_thousands else last


@cache
def _known_codes() -> frozenset[str]:
    return frozenset(list_currencies())


@cache
def _symbol_owners() -> dict[str, list[str]]:
    """Casefolded symbol → currencies it may mean, the owner of its plain English form first."""
    owners: dict[str, list[str]] = {}

    def add(symbol: str, code: str) -> None:
        key = " ".join(symbol.split()).casefold()
        if symbol != code and code not in owners.setdefault(key, []):
            owners[key].append(code)

    for code, symbol in Locale("en").currency_symbols.items():
        add(symbol, code)
    for region in Locale("en").territories:
        if len(region) == 2 and region.isalpha() and localedata.exists(f"en_{region}"):
            symbols = Locale.parse(f"en_{region}").currency_symbols
            for code in get_territory_currencies(region):
                add(symbols.get(code, code), code)
    return owners
