"""Phone numbers in E.164, the one spelling under which a member is recognised on every channel.

Decisions on what people type:
- A leading "00" is read as "+", whatever the default region's own international prefix is.
- Letters are refused, so vanity numbers ("1-800-FLOWERS") and extensions ("ext 12") never turn
  into a different number; an extension written with "#" or ";ext=" is refused as well.
- Digits from other scripts are accepted: phonenumbers reads them as the digits they are.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat
from phonenumbers import timezone as number_timezones

from core.errors import InvalidPhone

_MAX_TEXT = 32
_NOT_A_REGION = {"001", "ZZ"}


def normalize_phone(text: str, default_region: str | None = None) -> str:
    """E.164 form of a number; without a country code, `default_region` says whose number it is."""
    if len(text) > _MAX_TEXT:
        raise InvalidPhone(text=text)
    candidate = text.strip()
    if candidate[:4].lower() == "tel:":
        candidate = candidate[4:].strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    if any(char.isalpha() for char in candidate):
        raise InvalidPhone(text=text)
    if candidate.startswith("+"):
        region = None
    elif default_region:
        region = default_region.strip().upper()
    else:
        raise InvalidPhone(text=text)
    try:
        number = phonenumbers.parse(candidate, region)
    except NumberParseException:
        raise InvalidPhone(text=text) from None
    if number.extension or not phonenumbers.is_valid_number(number):
        raise InvalidPhone(text=text)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_region(e164: str) -> str | None:
    """ISO 3166 region of a normalised number, e.g. to suggest a circle's currency.

    Non-geographic numbers (+800 …) have no region; text that is not a number at all is a caller
    bug and raises InvalidPhone rather than passing as "unknown".
    """
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        raise InvalidPhone(text=e164) from None
    region = phonenumbers.region_code_for_number(number)
    return None if region is None or region in _NOT_A_REGION else region


def phone_timezone(e164: str) -> str:
    """A sensible default timezone for a number's country (the first one for countries with many)."""
    zones = number_timezones.time_zones_for_number(phonenumbers.parse(e164))
    return zones[0] if zones and zones[0] != "Etc/Unknown" else "UTC"
