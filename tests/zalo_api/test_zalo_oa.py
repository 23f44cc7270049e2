"""OAClient against the loopback fake: texts, split texts, the info form, user details."""

from __future__ import annotations

import unicodedata

import pytest
from pytest_httpserver import HTTPServer

from tests.fakes.zalo import FakeZalo
from zalo_api import (
    InMemoryTokenStorage,
    OAClient,
    OAuthClient,
    ThreadRefreshLock,
    TokenManager,
    TokenPair,
    ZaloAPIError,
    ZaloHTTPError,
)
from zalo_api.messages import MAX_BUTTONS, Button, InfoRequest, Text, message_of, parts

USER = "2468458835296117922"


def test_send_text(oa: OAClient, fake: FakeZalo) -> None:
    ids = oa.send_text(USER, "Xin chào")
    assert fake.messages_to(USER) == ["Xin chào"]
    (sent,) = fake.payloads(USER)
    assert ids == [sent.message_id] and ids[0]


def test_a_long_text_is_sent_in_parts_in_order(oa: OAClient, fake: FakeZalo) -> None:
    paragraphs = [f"Đoạn {n}: " + "chữ " * 300 for n in range(4)]  # about 1,210 characters each
    ids = oa.send_text(USER, "\n\n".join(paragraphs))
    received = fake.messages_to(USER)
    assert received == [p.strip() for p in paragraphs]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert all(len(text) <= 2000 for text in received)


def test_text_goes_out_nfc_normalised(oa: OAClient, fake: FakeZalo) -> None:
    oa.send_text(USER, unicodedata.normalize("NFD", "Mã của bạn"))
    assert fake.messages_to(USER) == [unicodedata.normalize("NFC", "Mã của bạn")]


def test_an_empty_text_is_refused_before_any_call(oa: OAClient, fake: FakeZalo) -> None:
    with pytest.raises(ValueError):
        oa.send_text(USER, "  ")
    assert fake.calls["cs"] == 0


def test_request_user_info_sends_the_template(oa: OAClient, fake: FakeZalo) -> None:
    message_id = oa.send_request_user_info(
        USER, "Chia sẻ số điện thoại", "x" * 600, "https://example.invalid/a.png"
    )
    (sent,) = fake.payloads(USER)
    assert sent.message_id == message_id and sent.text is None
    assert sent.message["attachment"]["type"] == "template"
    payload = sent.message["attachment"]["payload"]
    assert payload["template_type"] == "request_user_info"
    assert payload["elements"] == [
        {
            "title": "Chia sẻ số điện thoại",
            "subtitle": "x" * 500,  # Zalo's limit
            "image_url": "https://example.invalid/a.png",
        }
    ]


def test_user_detail_with_a_shared_phone(oa: OAClient, fake: FakeZalo) -> None:
    fake.add_user(USER, "Nguyễn Văn A", phone="84912345678")
    detail = oa.get_user_detail(USER)
    assert (detail.user_id, detail.display_name, detail.phone) == (
        USER,
        "Nguyễn Văn A",
        "84912345678",
    )
    assert detail.raw["user_is_follower"] is True


def test_user_detail_without_a_phone(oa: OAClient, fake: FakeZalo) -> None:
    assert oa.get_user_detail(USER).phone is None


def test_user_detail_url_encodes_the_data_query_and_reads_a_numeric_phone(
    httpserver: HTTPServer,
) -> None:
    body = {"error": 0, "data": {"user_id": USER, "shared_info": {"phone": 84912345678}}}
    httpserver.expect_request(
        "/v3.0/oa/user/detail",
        method="GET",
        query_string={"data": f'{{"user_id":"{USER}"}}'},
    ).respond_with_json(body)
    storage = InMemoryTokenStorage(TokenPair("a1", "r1", expires_at=4e9))
    oauth = OAuthClient(httpserver.url_for("/"), "app", "secret")
    oa = OAClient(httpserver.url_for("/"), TokenManager(storage, oauth, ThreadRefreshLock()))
    detail = oa.get_user_detail(USER)
    assert (detail.phone, detail.display_name) == ("84912345678", None)


def test_outside_the_7_day_window_is_permanent(oa: OAClient, fake: FakeZalo) -> None:
    fake.fail_user(USER, error=-230)
    with pytest.raises(ZaloAPIError) as caught:
        oa.send_text(USER, "hello")
    assert caught.value.code == -230 and caught.value.permanent
    assert fake.messages_to(USER) == []


def test_rate_limit_and_server_errors_are_retryable(oa: OAClient, fake: FakeZalo) -> None:
    fake.fail_next("cs", error=-32)
    with pytest.raises(ZaloAPIError) as rate_limited:
        oa.send_text(USER, "one")
    fake.fail_next("cs", http_status=500)
    with pytest.raises(ZaloHTTPError) as server_error:
        oa.send_text(USER, "two")
    assert rate_limited.value.retryable and server_error.value.retryable
    assert fake.calls["cs"] == 2 and fake.refresh_calls == 0  # neither retried nor refreshed
    oa.send_text(USER, "three")
    assert fake.messages_to(USER) == ["three"]


def test_a_malformed_message_is_refused_by_the_fake_as_by_zalo(oa: OAClient) -> None:
    with pytest.raises(ZaloAPIError) as caught:
        oa.send_request_user_info(USER, "", "subtitle", "https://example.invalid/a.png")
    assert caught.value.code == -201


def test_a_text_with_buttons_is_posted_as_it_is(oa: OAClient, fake: FakeZalo) -> None:
    buttons = (Button("Có", "#yes"), Button("Không", "#no"))
    oa.send(USER, Text("Tiếp tục?", buttons))
    (sent,) = fake.payloads(USER)
    taps = sent.message["attachment"]["payload"]["buttons"]
    assert [(b["title"], b["type"], b["payload"]) for b in taps] == [
        ("Có", "oa.query.hide", "#yes"),
        ("Không", "oa.query.hide", "#no"),
    ]


def test_send_refuses_a_text_it_would_have_to_split(oa: OAClient, fake: FakeZalo) -> None:
    with pytest.raises(ValueError):
        oa.send(USER, Text("chữ " * 600))  # parts() splits; send() posts one call as it is
    assert fake.calls["cs"] == 0


def test_a_long_text_splits_once_with_its_buttons_under_the_last_part() -> None:
    found = parts(Text("\n\n".join("chữ " * 300 for _ in range(3)), (Button("OK", "#ok"),)))
    assert len(found) == 3 and all(isinstance(p, Text) and p.fits() for p in found)
    assert [p.buttons for p in found if isinstance(p, Text)] == [(), (), (Button("OK", "#ok"),)]


def test_more_than_max_buttons_is_refused_when_the_message_is_made() -> None:
    with pytest.raises(ValueError):
        Text("?", tuple(Button(str(n), str(n)) for n in range(MAX_BUTTONS + 1)))


def test_the_stored_form_gives_the_same_message_back() -> None:
    for message in (Text("a", (Button("b", "#c"),)), Text("d"), InfoRequest("t", "s", "u")):
        assert message_of(message.kind, message.as_json()) == message
