"""Phone numbers in E.164, the one spelling under which a member is recognised on every channel.

Decisions on what people type:
- A leading "00" is read as "+", whatever the default region's own international prefix is.
- Letters are refused, so vanity numbers ("1-800-FLOWERS") and extensions ("ext 12") never turn
  into a different number; an extension written with "#" or ";ext=" is refused as well.
- Digits from other scripts are accepted: phonenumbers reads them as the digits they are.
"""

from __future__ import annotations

import phonenumbers
from babel.core import get_global
from phonenumbers import NumberParseException, PhoneNumberFormat
from phonenumbers import timezone as number_timezones

from core.errors import InvalidPhone

_MAX_TEXT = 32
_NOT_A_REGION = {"001", "ZZ"}
# Where a country spans several zones, the one most of its people live in (the capital's, except
# where most people live elsewhere). Countries with a single zone take it from CLDR's territory
# zones; tests/unit/test_phones.py checks that every multi-zone country is here.
MAIN_ZONES = {
    "AR": "America/Argentina/Buenos_Aires", "AU": "Australia/Sydney", "BR": "America/Sao_Paulo",
    "CA": "America/Toronto", "CD": "Africa/Kinshasa", "CL": "America/Santiago", "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia", "DE": "Europe/Berlin", "EC": "America/Guayaquil", "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei", "GL": "America/Nuuk", "ID": "Asia/Jakarta", "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty", "MH": "Pacific/Majuro", "MN": "Asia/Ulaanbaatar", "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur", "NZ": "Pacific/Auckland", "PF": "Pacific/Tahiti", "PG": "Pacific/Port_Moresby",
    "PS": "Asia/Hebron", "PT": "Europe/Lisbon", "RU": "Europe/Moscow", "UA": "Europe/Kyiv",
    "UM": "Pacific/Midway", "US": "America/New_York", "UZ": "Asia/Tashkent",
}


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
    """The circle's default timezone: where the number itself places the person when it names one
    zone (a New York or Los Angeles landline, a Moscow +7 495), else the main zone of the number's
    country. phonenumbers alone lists every zone of a shared calling code (+1 → 42 zones, +7 → 16),
    whose first one (America/Adak, Asia/Almaty) says nothing about Jamaica or Moscow.
    """
    number = phonenumbers.parse(e164)
    zones = number_timezones.time_zones_for_number(number)
    if len(zones) == 1 and zones[0] != "Etc/Unknown":
        return zones[0]
    return country_timezone(phonenumbers.region_code_for_number(number) or "") or "UTC"


def country_timezone(region: str) -> str | None:
    """The main zone of a country (ISO 3166 code), or None for a code with no zone."""
    if region in MAIN_ZONES:
        return MAIN_ZONES[region]
    zones = get_global("territory_zones").get(region, [])
    return zones[0] if len(zones) == 1 else None


def masked_phone(e164: str) -> str:
    """A number as a printed record may show it: its country code and last three digits only
    ("+254 ••• 678"), enough for a family to tell two members apart, too little to call anyone."""
    try:
        country = phonenumbers.parse(e164).country_code
    except NumberParseException:
        country = None
    return f"+{country} ••• {e164[-3:]}" if country else f"••• {e164[-3:]}"
