"""Phone numbers as users type them."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from bot.verification.phones import (
    Problem,
    looks_like_phone,
    mask_for_user,
    parse_phone,
    split_e164,
)

VN = ("VN",)


@pytest.mark.parametrize(
    "typed",
    ["0912345678", "+84 912 345 678", "84912345678", "0912.345.678", "０９１２３４５６７８"],
)
def test_every_way_of_typing_gives_the_same_e164(typed: str) -> None:
    assert parse_phone(typed, VN).e164 == "+84912345678"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("xin chào", Problem.NOT_A_NUMBER),
        ("12", Problem.NOT_A_NUMBER),
        ("0912 345 67", Problem.INVALID),
        ("02438123456", Problem.NOT_MOBILE),
        ("+66 81 234 5678", Problem.REGION),
        ("01683456789", Problem.OLD_PREFIX),
        ("+84 168 345 6789", Problem.OLD_PREFIX),
    ],
)
def test_each_refusal_names_its_problem(typed: str, problem: Problem) -> None:
    assert parse_phone(typed, VN).problem is problem


def test_old_prefix_tells_the_new_number() -> None:
    assert parse_phone("0168 345 6789", VN).new_number == "0383456789"
    assert parse_phone("0123 456 7890", VN).new_number == "0834567890"


def test_allowed_regions_are_configurable() -> None:
    assert parse_phone("+66 81 234 5678", ("VN", "TH")).e164 == "+66812345678"


def test_masks() -> None:
    assert mask_for_user("+84912345678") == "09xx xxx 678"
    assert mask_for_user("+66812345678").endswith("678")
    assert "812345" not in mask_for_user("+66812345678")


def test_codes_do_not_look_like_phones_to_the_parser() -> None:
    assert looks_like_phone("123456")  # it is a phone attempt...
    assert parse_phone("123456", VN).problem is Problem.INVALID  # ...and an invalid one


def test_a_stored_number_splits_as_phonenumbers_parses_it_in_every_region() -> None:
    """split_e164 (no parse per reply) agrees with phonenumbers on every region's example."""
    for region in phonenumbers.SUPPORTED_REGIONS:
        example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
        if example is None:
            continue
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        expected = (example.country_code, phonenumbers.national_significant_number(example))
        assert split_e164(e164) == expected, region
