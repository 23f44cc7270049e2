"""parse_event on every documented shape: the right class, the right fields, ids as strings."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from zalo_api import (
    Event,
    Follow,
    OAEcho,
    Receipt,
    SubmittedInfo,
    Unfollow,
    Unknown,
    UserAttachment,
    UserClickChatNow,
    UserEvent,
    UserSubmitInfo,
    UserText,
    UserWithdraw,
    parse_event,
)

APP, USER, OA = "1234567890123456789", "2468458835296117922", "9876543210987654321"


@pytest.fixture
def event_of(vectors: dict[str, Any]) -> Any:
    """event_of(name): the parsed fixture event of that name."""
    return lambda name: parse_event(json.loads(vectors["events"][name]["raw"]))


def test_text(event_of: Any) -> None:
    event = event_of("user_send_text")
    assert event == UserText(
        event_name="user_send_text",
        app_id=APP,
        timestamp="1795000000001",
        user_id_by_app="5521772797175877300",
        user_id=USER,
        oa_id=OA,
        msg_id="96d3cdf3af150460909",
        text="xác thực",
    )
    assert event.dedupe_key == "96d3cdf3af150460909"
    assert event_of("user_send_text_quote").quote_msg_id == "96d3cdf3af150460909"


@pytest.mark.parametrize(
    ("kind", "url"),
    [("image", "i.jpg"), ("sticker", "s.png"), ("file", "f.pdf")],
)
def test_attachments_keep_type_url_and_a_read_only_payload(
    event_of: Any, kind: str, url: str
) -> None:
    event = event_of(f"user_send_{kind}")
    assert isinstance(event, UserAttachment) and isinstance(event, UserEvent)
    assert (event.kind, event.user_id, event.oa_id, event.text) == (kind, USER, OA, "")
    (attachment,) = event.attachments
    assert attachment.type == kind
    assert attachment.url == f"https://example.invalid/{url}"
    with pytest.raises(TypeError):
        attachment.payload["url"] = "https://evil.invalid/"  # type: ignore[index]


def test_location_has_coordinates(event_of: Any) -> None:
    (attachment,) = event_of("user_send_location").attachments
    assert (attachment.latitude, attachment.longitude) == ("10.7769", "106.7009")
    assert attachment.url is None


def test_every_attachment_kind_is_modelled() -> None:
    for kind in ("image", "sticker", "gif", "link", "file", "audio", "video", "location"):
        body: dict[str, Any] = {"event_name": f"user_send_{kind}", "app_id": APP, "timestamp": "1"}
        body |= {"sender": {"id": USER}, "recipient": {"id": OA}, "message": {"msg_id": "m"}}
        event = parse_event(body)
        assert isinstance(event, UserAttachment) and event.kind == kind


@pytest.mark.parametrize(("name", "cls"), [("follow", Follow), ("unfollow", Unfollow)])
def test_follow_and_unfollow(event_of: Any, name: str, cls: type[Event]) -> None:
    event = event_of(name)
    assert type(event) is cls and isinstance(event, Follow | Unfollow)
    assert (event.user_id, event.oa_id, event.source) == (USER, OA, "oa_profile")
    assert event.msg_id is None
    assert event.dedupe_key == f"{name}:{event.timestamp}:{USER}"


def test_submit_info_new_shape(event_of: Any) -> None:
    event = event_of("user_submit_info_new")
    assert isinstance(event, UserSubmitInfo) and event.user_id == USER
    assert event.info == SubmittedInfo(
        name="Nguyễn Văn A",
        phone="84912345678",
        address="1 Đường Láng",
        city="Hà Nội",
        ward="Phường Láng",
        dob="01/01/1990",
        gender="male",
    )


def test_submit_info_old_shape(event_of: Any) -> None:
    info = event_of("user_submit_info_old").info
    assert info == SubmittedInfo(
        name="Nguyễn Văn A",
        phone="0912345678",
        address="1 Đường Láng",
        city="Hà Nội",
        district="Đống Đa",
        ward="Láng",
    )


def test_click_chat_now_and_withdraw_are_user_events(event_of: Any) -> None:
    chat = event_of("user_click_chatnow")
    withdraw = event_of("user_withdraw")
    assert isinstance(chat, UserClickChatNow) and isinstance(withdraw, UserWithdraw)
    assert (chat.user_id, chat.oa_id) == (USER, OA) == (withdraw.user_id, withdraw.oa_id)
    assert withdraw.dedupe_key == f"user_withdraw:1795000000016:{USER}"


def test_an_oa_echo_is_not_a_user_event(event_of: Any) -> None:
    echo = event_of("oa_send_text")
    assert isinstance(echo, OAEcho) and UserEvent not in type(echo).__mro__
    assert (echo.user_id, echo.oa_id, echo.text) == (USER, OA, "Xin chào")
    assert echo.dedupe_key == "f6a7b8c9d0e1f2a3b4c5"


def test_receipts(event_of: Any) -> None:
    received, seen = event_of("user_received_message"), event_of("user_seen_message")
    for receipt in (received, seen):
        assert isinstance(receipt, Receipt) and UserEvent not in type(receipt).__mro__
        assert receipt.msg_ids == ("f6a7b8c9d0e1f2a3b4c5",)
        assert (receipt.user_id, receipt.oa_id, receipt.phone) == (USER, OA, None)
    # A receipt carries the OA message's id: it must not dedupe against that message's echo.
    assert received.dedupe_key != event_of("oa_send_text").dedupe_key
    assert received.dedupe_key != seen.dedupe_key


def test_a_zns_receipt_is_addressed_to_a_phone_with_our_tracking_id(event_of: Any) -> None:
    receipt = event_of("zns_user_received_message")
    assert isinstance(receipt, Receipt)
    assert (receipt.phone, receipt.user_id, receipt.tracking_id) == (
        "84912345678",
        None,
        "otp-7f3a9c",
    )
    assert (receipt.msg_ids, receipt.delivery_time) == (("e9b4d5a1c2",), "1795000000014")


def test_an_unknown_event_is_kept_raw_and_read_only() -> None:
    body: dict[str, Any] = {"event_name": "user_reacted_message", "app_id": APP, "timestamp": "5"}
    body |= {"sender": {"id": USER}, "message": {"msg_id": "m9", "react_icon": "/-heart"}}
    event = parse_event(body)
    assert isinstance(event, Unknown) and event.raw["message"]["react_icon"] == "/-heart"
    assert event.dedupe_key == "m9"
    with pytest.raises(TypeError):
        event.raw["event_name"] = "x"  # type: ignore[index]


def test_events_are_frozen(event_of: Any) -> None:
    event = event_of("user_send_text")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.text = "changed"


def test_numeric_ids_and_timestamps_of_older_payloads_become_strings() -> None:
    body = {"event_name": "follow", "app_id": 1234, "timestamp": 1795000000007, "oa_id": 99}
    event = parse_event(body | {"follower": {"id": 2468458835296117922}})
    assert (event.app_id, event.timestamp) == ("1234", "1795000000007")
    assert isinstance(event, Follow) and event.user_id == "2468458835296117922"
