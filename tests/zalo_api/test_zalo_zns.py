"""ZNSClient against the fake: template sends, phone normalisation, -118, refresh on -124."""

from __future__ import annotations

import pytest

from tests.fakes.zalo import FakeZalo
from zalo_api import ZaloAPIError, ZaloHTTPError, ZNSClient, normalize_zns_phone
from zalo_api.zns import STATUS_DELIVERED, STATUS_PENDING, STATUS_UNKNOWN


@pytest.mark.parametrize(
    "phone",
    [
        "+84 912 345 678",
        "0912345678",
        "84912345678",
        "0912.345.678",
        "(+84) 912-345-678",
        "0084912345678",
    ],
)
def test_phones_are_normalised_to_international_digits(phone: str) -> None:
    assert normalize_zns_phone(phone) == "84912345678"


@pytest.mark.parametrize(
    "phone",
    ["", "abc", "09123", "+0912345678", "0912a45678", "٠٩١٢٣٤٥٦٧٨", "+84 912 345 678 901 234"],
)
def test_garbage_is_not_a_phone(phone: str) -> None:
    with pytest.raises(ValueError):
        normalize_zns_phone(phone)


def test_send_template(zns: ZNSClient, fake: FakeZalo) -> None:
    result = zns.send_template("0912 345 678", "tmpl-1", {"otp": "123456"}, "otp-7f3a9c")
    (sent,) = fake.zns_sent
    assert (sent.phone, sent.template_id, sent.template_data) == (
        "84912345678",
        "tmpl-1",
        {"otp": "123456"},
    )
    assert (sent.tracking_id, sent.mode) == ("otp-7f3a9c", None)
    assert result.msg_id == sent.msg_id
    assert (result.daily_quota, result.remaining_quota) == ("500", "499")
    assert result.sent_time and result.sent_time.isdigit()


def test_development_mode(zns: ZNSClient, fake: FakeZalo) -> None:
    zns.send_template("84912345678", "tmpl-1", {"otp": "1"}, "t1", development=True)
    assert fake.zns_sent[0].mode == "development"


def test_a_phone_without_zalo_is_recognisable(zns: ZNSClient, fake: FakeZalo) -> None:
    fake.no_zalo_account("84987654321")
    with pytest.raises(ZaloAPIError) as caught:
        zns.send_template("0987654321", "tmpl-1", {"otp": "1"}, "t1")
    assert caught.value.no_zalo_account and caught.value.permanent
    assert fake.zns_sent == []


def test_an_invalid_zns_token_is_refreshed_and_the_send_retried(
    zns: ZNSClient, fake: FakeZalo
) -> None:
    fake.expire_access_token()
    zns.send_template("84912345678", "tmpl-1", {"otp": "1"}, "t1")
    assert len(fake.zns_sent) == 1
    assert (fake.calls["zns"], fake.refresh_calls) == (2, 1)


def test_scripted_failures_keep_their_meaning(zns: ZNSClient, fake: FakeZalo) -> None:
    fake.fail_next("zns", error=-118)
    fake.fail_next("zns", http_status=502)
    fake.fail_next("zns", error=-100)
    outcomes = []
    for _ in range(3):
        with pytest.raises((ZaloAPIError, ZaloHTTPError)) as caught:
            zns.send_template("84912345678", "tmpl-1", {"otp": "1"}, "t1")
        outcomes.append(caught.value.retryable)
    assert outcomes == [False, True, True]


@pytest.mark.parametrize("tracking_id", ["", "x" * 49])
def test_a_tracking_id_must_be_1_to_48_characters(
    zns: ZNSClient, fake: FakeZalo, tracking_id: str
) -> None:
    with pytest.raises(ValueError, match="tracking_id"):
        zns.send_template("84912345678", "tmpl-1", {"otp": "1"}, tracking_id)
    zns.send_template("84912345678", "tmpl-1", {"otp": "1"}, "x" * 48)
    assert fake.calls["zns"] == 1


def test_message_status_says_pending_delivered_or_unknown(zns: ZNSClient, fake: FakeZalo) -> None:
    msg_id = zns.send_template("84912345678", "tmpl-1", {"otp": "1"}, "t1").msg_id
    assert zns.message_status(msg_id) == STATUS_PENDING
    fake.delivery_status(STATUS_DELIVERED, msg_id)
    assert zns.message_status(msg_id) == STATUS_DELIVERED
    assert zns.message_status("not-one-of-ours") == STATUS_UNKNOWN


def test_message_status_refreshes_a_refused_token_and_translates_errors(
    zns: ZNSClient, fake: FakeZalo
) -> None:
    msg_id = zns.send_template("84912345678", "tmpl-1", {"otp": "1"}, "t1").msg_id
    fake.expire_access_token()
    assert zns.message_status(msg_id) == STATUS_PENDING
    assert (fake.calls["zns_status"], fake.refresh_calls) == (2, 1)
    fake.fail_next("zns_status", http_status=502)
    with pytest.raises(ZaloHTTPError) as caught:
        zns.message_status(msg_id)
    assert caught.value.retryable
