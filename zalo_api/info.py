"""What a user shares through a request_user_info form, in either shape Zalo has sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zalo_api.fields import optional_ident

# Newer shape first: user_dob, gender, full_address{user_address, user_city, ...};
# then the older flat one: address, city, district, ward.
INFO_PATHS = {
    "name": ("name",),
    "phone": ("phone",),
    "address": ("full_address.user_address", "address"),
    "city": ("full_address.user_city", "city"),
    "district": ("full_address.user_district", "district"),
    "ward": ("full_address.user_ward", "ward"),
    "dob": ("user_dob", "dob"),
    "gender": ("gender",),
}


@dataclass(frozen=True, slots=True)
class SubmittedInfo:
    """Name, phone, address and the rest; None for what the user did not share."""

    name: str | None = None
    phone: str | None = None
    address: str | None = None
    city: str | None = None
    district: str | None = None
    ward: str | None = None
    dob: str | None = None
    gender: str | None = None


def first_value(event: Mapping[str, Any], paths: tuple[str, ...]) -> str | None:
    """The first present value among info.<path>; a number (a phone may be one) becomes text."""
    for path in paths:
        value = optional_ident(event, f"info.{path}")
        if value is not None:
            return value
    return None


def parse_info(event: Mapping[str, Any]) -> SubmittedInfo:
    """SubmittedInfo from the `info` object of a user_submit_info event."""
    return SubmittedInfo(**{name: first_value(event, paths) for name, paths in INFO_PATHS.items()})
