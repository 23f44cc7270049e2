"""The information a user shares through a request_user_info form (both shapes Zalo sent)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zalo_api.fields import first


@dataclass(frozen=True, slots=True)
class SubmittedInfo:
    """Name, phone and address; the newer nested shape and the older flat one alike."""

    name: str | None = None
    phone: str | None = None
    address: str | None = None
    city: str | None = None
    district: str | None = None
    ward: str | None = None
    dob: str | None = None
    gender: str | None = None


def parse_info(info: Mapping[str, Any]) -> SubmittedInfo:
    """Newer: user_dob, gender, full_address{user_city, ...}; older: address, city, ..."""
    return SubmittedInfo(
        name=first(info, "name"),
        phone=first(info, "phone"),
        address=first(info, "full_address.user_address", "address"),
        city=first(info, "full_address.user_city", "city"),
        district=first(info, "full_address.user_district", "district"),
        ward=first(info, "full_address.user_ward", "ward"),
        dob=first(info, "user_dob", "dob"),
        gender=first(info, "gender"),
    )
