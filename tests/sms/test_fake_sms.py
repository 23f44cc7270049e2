"""The fake gateways themselves: the whole project's end-to-end tests rely on them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from bot.config import load_settings
from bot.sms import SmsMessage, SmsProvider, SmsTransientError, build_provider
from tests.fakes.sms import FakeSmsGateways
from tests.sms.support import CODE, PHONE, REAL, UNUSED_REDIS, message


@pytest.fixture
def gateways() -> Iterator[FakeSmsGateways]:
    with FakeSmsGateways() as fake:
        yield fake


def provider(fake: FakeSmsGateways, name: str) -> SmsProvider:
    return build_provider(load_settings({**REAL, **fake.config_for(name)}), UNUSED_REDIS)


def test_config_for_names_the_provider_and_the_fake(gateways: FakeSmsGateways) -> None:
    config = gateways.config_for("esms")
    assert config["SMS_PROVIDER"] == "esms"
    assert config["ESMS_URL"] == gateways.base_url
    assert gateways.base_url.startswith("http://127.0.0.1:")


def test_last_code_finds_the_latest_code_whatever_the_phone_format(
    gateways: FakeSmsGateways,
) -> None:
    assert gateways.last_code_to(PHONE) is None
    for name, reference in [("esms", "a"), ("speedsms", "b"), ("twilio", "c"), ("http", "d")]:
        provider(gateways, name).send(message(reference=reference))
        assert gateways.last_code_to(PHONE) == CODE
    later = SmsMessage(PHONE, "Ma moi: 111222", "e", 300)
    provider(gateways, "esms").send(later)
    assert gateways.last_code_to(PHONE) == "111222"
    assert gateways.last_code_to("+84900000000") is None
    assert len(gateways.messages_to(PHONE)) == 5


def test_fail_next_fails_once(gateways: FakeSmsGateways) -> None:
    sms = provider(gateways, "speedsms")
    gateways.fail_next("speedsms", http_status=503)
    with pytest.raises(SmsTransientError):
        sms.send(message())
    sms.send(message())
    assert len(gateways.sent) == 1
    assert len(gateways.requests) == 2


def test_always_fail_lasts_until_reset(gateways: FakeSmsGateways) -> None:
    sms = provider(gateways, "twilio")
    gateways.always_fail("twilio", code="20429")
    for _ in range(3):
        with pytest.raises(SmsTransientError):
            sms.send(message())
    gateways.reset()
    sms.send(message())
    assert len(gateways.sent) == 1


def test_reset_forgets_esms_request_ids(gateways: FakeSmsGateways) -> None:
    sms = provider(gateways, "esms")
    sms.send(message())
    gateways.reset()
    sms.send(message())
    assert len(gateways.sent) == 1


def test_esms_sandbox_flag_validates_without_sending(gateways: FakeSmsGateways) -> None:
    body = {
        "ApiKey": gateways.ESMS_API_KEY,
        "SecretKey": gateways.ESMS_SECRET_KEY,
        "Phone": "0912345678",
        "Content": f"code {CODE}",
        "SmsType": "8",
        "Sandbox": "1",
    }
    url = gateways.base_url + "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    reply = requests.post(url, json=body, timeout=5).json()
    assert reply["CodeResult"] == "100"
    assert gateways.sent == []


def test_a_slow_reply_still_sends(gateways: FakeSmsGateways) -> None:
    # Like a real gateway: the client gave up, but the message went out.
    gateways.timeout_next("http", 0.5)
    fast = build_provider(
        load_settings({**REAL, **gateways.config_for("http"), "HTTP_TIMEOUT_SECONDS": "0.1"}),
        UNUSED_REDIS,
    )
    with pytest.raises(SmsTransientError):
        fast.send(message())
    deadline = time.monotonic() + 5
    while not gateways.sent and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gateways.last_code_to(PHONE) == CODE


def test_misspelt_provider_is_refused(gateways: FakeSmsGateways) -> None:
    with pytest.raises(ValueError, match="smsgw"):
        gateways.fail_next("smsgw")


def test_unknown_path_is_404(gateways: FakeSmsGateways) -> None:
    assert requests.post(gateways.base_url + "/nope", timeout=5).status_code == 404


def test_concurrent_sends_are_all_recorded(gateways: FakeSmsGateways) -> None:
    errors: list[BaseException] = []

    def send(number: int) -> None:
        try:  # one provider (one requests.Session) per thread, as in RQ workers
            phone = f"+8491234{number:04d}"
            provider(gateways, "esms").send(message(phone=phone, reference=f"otp:{number}"))
        except BaseException as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({sms.message_id for sms in gateways.sent}) == 40
    assert gateways.last_code_to("+84912340007") == CODE
