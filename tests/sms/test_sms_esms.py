"""eSMS.vn against the loopback fake: wire format, result codes, RequestId idempotency."""

from __future__ import annotations

import pytest

from bot.sms import (
    EsmsProvider,
    SmsDuplicateError,
    SmsMessage,
    SmsPermanentError,
    SmsTransientError,
)
from bot.sms.esms import esms_phone
from tests.fakes.sms import FakeSmsGateways
from tests.sms.support import (
    ANSWER_TIMEOUT_SECONDS,
    CODE,
    PHONE,
    REFERENCE,
    SHORT_TIMEOUT_SECONDS,
    SLOW_REPLY_SECONDS,
    assert_discreet,
    closed_port_url,
    message,
)


def provider_for(
    fake: FakeSmsGateways,
    api_key: str | None = None,
    timeout: float = ANSWER_TIMEOUT_SECONDS,
    **options: str,
) -> EsmsProvider:
    return EsmsProvider(
        fake.base_url,
        api_key or fake.ESMS_API_KEY,
        fake.ESMS_SECRET_KEY,
        brandname=options.get("brandname", fake.ESMS_BRANDNAME),
        sms_type=options.get("sms_type", "2"),
        timeout=timeout,
    )


def test_accepted_send_has_the_documented_body(gateways: FakeSmsGateways) -> None:
    receipt = provider_for(gateways).send(message())
    (request,) = gateways.requests
    assert request.path == "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "ApiKey": gateways.ESMS_API_KEY,
        "SecretKey": gateways.ESMS_SECRET_KEY,
        "Phone": "0912345678",
        "Content": message().text,
        "SmsType": "2",
        "Brandname": gateways.ESMS_BRANDNAME,
        "IsUnicode": "0",
        "RequestId": REFERENCE,
        "Sandbox": "0",
    }
    (sent,) = gateways.sent
    assert receipt.provider == "esms"
    assert receipt.provider_message_id == sent.message_id
    assert gateways.last_code_to(PHONE) == CODE


def test_fixed_number_type_without_brandname_omits_it(gateways: FakeSmsGateways) -> None:
    provider_for(gateways, brandname="", sms_type="8").send(message())
    body = gateways.requests[0].json()
    assert body["SmsType"] == "8"
    assert "Brandname" not in body
    assert len(gateways.sent) == 1


def test_phone_forms() -> None:
    assert esms_phone("+84912345678") == "0912345678"
    assert esms_phone("+14155550123") == "14155550123"


def test_foreign_number_is_sent_as_digits(gateways: FakeSmsGateways) -> None:
    provider_for(gateways).send(message(phone="+14155550123"))
    assert gateways.sent[0].phone == "14155550123"
    assert gateways.last_code_to("+14155550123") == CODE


def test_non_ascii_text_is_flagged_unicode(gateways: FakeSmsGateways) -> None:
    text = f"Mã xác thực: {CODE}"
    provider_for(gateways).send(SmsMessage(PHONE, text, REFERENCE, 300))
    assert gateways.requests[0].json()["IsUnicode"] == "1"


def test_repeated_reference_is_a_duplicate_not_a_second_message(
    gateways: FakeSmsGateways,
) -> None:
    provider = provider_for(gateways)
    provider.send(message())
    with pytest.raises(SmsDuplicateError) as caught:
        provider.send(message())
    assert caught.value.code == "124"
    assert caught.value.retryable is False
    assert len(gateways.sent) == 1
    assert_discreet(caught.value)


def test_a_new_reference_is_a_new_message(gateways: FakeSmsGateways) -> None:
    provider = provider_for(gateways)
    provider.send(message(reference="otp:1"))
    provider.send(message(reference="otp:2"))
    assert [sms.reference for sms in gateways.sent] == ["otp:1", "otp:2"]


def test_wrong_key_is_permanent_and_names_no_key(gateways: FakeSmsGateways) -> None:
    with pytest.raises(SmsPermanentError) as caught:
        provider_for(gateways, api_key="wrong-key-value").send(message())
    assert type(caught.value) is SmsPermanentError
    assert caught.value.code == "101"
    assert "wrong-key-value" not in str(caught.value)
    assert_discreet(caught.value)


@pytest.mark.parametrize("code", ["99", "101", "103", "104", "108", "140", "146", "777"])
def test_error_codes_are_permanent(gateways: FakeSmsGateways, code: str) -> None:
    gateways.fail_next("esms", code=code)
    with pytest.raises(SmsPermanentError) as caught:
        provider_for(gateways).send(message())
    assert type(caught.value) is SmsPermanentError
    assert caught.value.code == code
    assert_discreet(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_http_errors_are_transient(gateways: FakeSmsGateways, status: int) -> None:
    gateways.fail_next("esms", http_status=status)
    with pytest.raises(SmsTransientError) as caught:
        provider_for(gateways).send(message())
    assert_discreet(caught.value)


def test_unreadable_success_is_transient(gateways: FakeSmsGateways) -> None:
    # A 200 that is not JSON (a proxy page): the outcome is unknown, and RequestId makes
    # the retry safe.
    gateways.fail_next("esms", http_status=200)
    with pytest.raises(SmsTransientError, match="unreadable"):
        provider_for(gateways).send(message())


def test_timeout_is_transient(gateways: FakeSmsGateways) -> None:
    gateways.timeout_next("esms", SLOW_REPLY_SECONDS)
    with pytest.raises(SmsTransientError, match="timed out") as caught:
        provider_for(gateways, timeout=SHORT_TIMEOUT_SECONDS).send(message())
    assert_discreet(caught.value)


def test_connection_refused_is_transient(gateways: FakeSmsGateways) -> None:
    provider = EsmsProvider(closed_port_url(), gateways.ESMS_API_KEY, gateways.ESMS_SECRET_KEY)
    with pytest.raises(SmsTransientError, match="network error") as caught:
        provider.send(message())
    assert_discreet(caught.value)
