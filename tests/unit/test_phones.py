"""Phone numbers: every way a member writes their number lands on one E.164 spelling."""

from __future__ import annotations

import phonenumbers
import pytest
from babel.core import get_global
from hypothesis import given
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat

from core.errors import CoreError, InvalidPhone
from core.phones import MAIN_ZONES, normalize_phone, phone_region, phone_timezone

ARABIC_INDIC = "+" + "".join(chr(0x0660 + int(digit)) for digit in "254712345678")
ACCEPTED = [
    ("+254 712 345 678", None, "+254712345678"),
    ("+254712345678", "US", "+254712345678"),
    ("00254712345678", None, "+254712345678"),
    ("00 254 712 345 678", "KE", "+254712345678"),
    ("+1 (415) 555-2671", None, "+14155552671"),
    ("+1-415-555-2671", None, "+14155552671"),
    ("(415) 555-2671", "US", "+14155552671"),
    ("tel:+44 20 7946 0958", None, "+442079460958"),
    ("TEL:+442079460958", None, "+442079460958"),
    ("0712 345 678", "KE", "+254712345678"),
    ("0712345678", "ke", "+254712345678"),
    ("0803 123 4567", "NG", "+2348031234567"),
    ("  +254712345678  ", None, "+254712345678"),
    (ARABIC_INDIC, None, "+254712345678"),
]


@pytest.mark.parametrize(("text", "region", "e164"), ACCEPTED)
def test_accepted_numbers(text: str, region: str | None, e164: str) -> None:
    assert normalize_phone(text, region) == e164


REJECTED = [
    ("", None),
    ("   ", None),
    ("+", None),
    ("abc", None),
    ("0712345678", None),
    ("712345678", None),
    ("254712345678", None),
    ("0712345678", "XX"),
    ("+254 712", None),
    ("+254 712 345 678 999", None),
    ("+999 123 456", None),
    ("+1-800-FLOWERS", None),
    ("+254712345678 ext 12", None),
    ("+254712345678#12", None),
    ("tel:+254712345678;ext=1", None),
    ("+254712345678 / +254712345679", None),
    ("+1 415 555 2671" + " " * 18, None),
    ("+" + "1" * 10_000, None),
]


@pytest.mark.parametrize(("text", "region"), REJECTED)
def test_rejected_numbers(text: str, region: str | None) -> None:
    with pytest.raises(InvalidPhone) as refused:
        normalize_phone(text, region)
    assert refused.value.context == {"text": text}


@pytest.mark.parametrize(
    ("e164", "region"),
    [
        ("+254712345678", "KE"),
        ("+14155552671", "US"),
        ("+442079460958", "GB"),
        ("+2348031234567", "NG"),
    ],
)
def test_phone_region(e164: str, region: str) -> None:
    assert phone_region(e164) == region


def test_non_geographic_number_has_no_region() -> None:
    assert phone_region("+80012345678") is None


@pytest.mark.parametrize("text", ["", "abc", "0712345678"])
def test_phone_region_of_text_that_is_no_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidPhone):
        phone_region(text)


# --- properties -------------------------------------------------------------------------------
examples = (
    st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS))
    .map(lambda region: (region, phonenumbers.example_number(region)))
    .filter(lambda pair: pair[1] is not None)
)


@given(examples)
def test_every_way_of_writing_a_number_normalises_alike(
    example: tuple[str, phonenumbers.PhoneNumber],
) -> None:
    region, number = example
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    assert normalize_phone(e164) == e164
    assert normalize_phone(international) == e164
    assert normalize_phone("00" + e164[1:]) == e164
    assert normalize_phone(national, region) == e164
    # Regions sharing a country code (EH and MA) may resolve to either; the code must agree.
    assert phone_region(e164) in phonenumbers.region_codes_for_country_code(number.country_code)


@given(st.text(max_size=40), st.sampled_from([None, "KE", "US", "NG", "GB"]))
def test_any_text_normalises_or_is_refused(text: str, region: str | None) -> None:
    try:
        e164 = normalize_phone(text, region)
    except CoreError as refusal:
        assert isinstance(refusal, InvalidPhone)
    else:
        assert e164.startswith("+")
        assert e164[1:].isascii() and e164[1:].isdigit()
        assert normalize_phone(e164) == e164


@pytest.mark.parametrize(("phone", "zone"), [
    ("+18765551234", "America/Jamaica"),  # +1 is shared by 42 zones; the number is Jamaican
    ("+74951234567", "Europe/Moscow"),  # a Moscow landline, not the first zone of +7
    ("+79161234567", "Europe/Moscow"),  # a Russian mobile: the country's main zone
    ("+77011234567", "Asia/Almaty"),  # Kazakhstan shares +7
    ("+254712345678", "Africa/Nairobi"),
    ("+12125551234", "America/New_York"),
    ("+13105551234", "America/Los_Angeles"),  # the number names its own zone: kept
    ("+442079460958", "Europe/London"),
    ("+61412345678", "Australia/Sydney"),  # an Australian mobile: no single zone, the main one
    ("+5511987654321", "America/Sao_Paulo"),
    ("+80012345678", "UTC"),  # international freephone: no country
])
def test_a_circle_lives_in_the_phone_country_main_zone(phone: str, zone: str) -> None:
    assert phone_timezone(phone) == zone


def test_every_country_with_several_zones_names_its_main_one() -> None:
    territory_zones = get_global("territory_zones")
    several = {region for region, zones in territory_zones.items() if len(zones) > 1} - {"001", "ZZ", "AQ"}
    assert several == set(MAIN_ZONES)
    assert all(MAIN_ZONES[region] in territory_zones[region] for region in several)
