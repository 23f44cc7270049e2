"""Phone numbers as users type them: parsed with phonenumbers, stored as E.164, shown masked."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, NumberParseException, PhoneNumberType
from phonenumbers.geocoder import country_name_for_number

from bot.conversation.textnorm import digits_only, to_ascii_digits

# Vietnam's 2018 move from 11-digit to 10-digit mobile numbers: old prefix -> new prefix
# (national form). Users still type the old ones from memory or old contacts.
OLD_VN_PREFIXES = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0186": "056", "0188": "058", "0199": "059",
}  # fmt: skip
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
PHONE_CHARACTERS = set("0123456789+-.() ")


class Problem(Enum):
    """Why a typed number was refused (each has its own reply)."""

    NOT_A_NUMBER = "phone_not_a_number"
    INVALID = "phone_invalid"
    NOT_MOBILE = "phone_not_mobile"
    REGION = "phone_region"
    OLD_PREFIX = "phone_old_prefix"


@dataclass(frozen=True)
class Parsed:
    """Either an accepted number (e164) or a refusal (problem, maybe the number to use now)."""

    e164: str | None = None
    problem: Problem | None = None
    new_number: str | None = None


def looks_like_phone(text: str) -> bool:
    """Whether text is made of phone characters with enough digits to be a phone attempt."""
    ascii_text = to_ascii_digits(text).strip()
    return len(digits_only(ascii_text)) >= 6 and set(ascii_text) <= PHONE_CHARACTERS


def old_prefix_replacement(text: str) -> str | None:
    """The new 10-digit number for an old 11-digit Vietnamese one, else None."""
    digits = digits_only(text)
    if digits.startswith("84") and len(digits) == 12:
        digits = "0" + digits[2:]
    if len(digits) == 11 and digits[:4] in OLD_VN_PREFIXES:
        return OLD_VN_PREFIXES[digits[:4]] + digits[4:]
    return None


def parse_phone(text: str, allowed_regions: tuple[str, ...], default_region: str = "VN") -> Parsed:
    """Parse a typed number; refuse it with a specific problem when it will not do."""
    if not looks_like_phone(text):
        return Parsed(problem=Problem.NOT_A_NUMBER)
    replacement = old_prefix_replacement(text)
    if replacement is not None:
        return Parsed(problem=Problem.OLD_PREFIX, new_number=replacement)
    try:
        number = phonenumbers.parse(to_ascii_digits(text), default_region)
    except NumberParseException:
        return Parsed(problem=Problem.INVALID)
    if not phonenumbers.is_valid_number(number):
        return Parsed(problem=Problem.INVALID)
    if phonenumbers.region_code_for_number(number) not in allowed_regions:
        return Parsed(problem=Problem.REGION)
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        return Parsed(problem=Problem.NOT_MOBILE)
    return Parsed(e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def mask_for_user(e164: str) -> str:
    """The number as shown in replies: '+84912345678' -> '09xx xxx 678'."""
    country_code, national = split_e164(e164)
    if country_code == 84:
        shown = "0" + national
        return f"{shown[:2]}xx xxx {shown[-3:]}"
    return f"+{country_code} {'x' * max(len(national) - 3, 0)} {national[-3:]}"


def split_e164(e164: str) -> tuple[int, str]:
    """(country code, national significant number) of a stored E.164 number, without parsing
    it again (a parse costs tens of µs per reply): country codes are prefix-free, so the first
    known one is it."""
    digits = e164.removeprefix("+")
    for size in (1, 2, 3):
        if digits[:size].isdigit() and int(digits[:size]) in COUNTRY_CODE_TO_REGION_CODE:
            return int(digits[:size]), digits[size:]
    number = phonenumbers.parse(e164)  # not E.164 after all: phonenumbers says, or raises
    return number.country_code or 0, phonenumbers.national_significant_number(number)


def region_names(regions: tuple[str, ...], lang: str) -> str:
    """Country names of region codes in lang ('VN' -> 'Việt Nam' / 'Vietnam'), as users
    read them; a code phonenumbers does not know stays as typed."""
    names = []
    for region in regions:
        example = phonenumbers.example_number(region)
        name = country_name_for_number(example, lang) if example is not None else ""
        names.append(name or region)
    return ", ".join(names)
