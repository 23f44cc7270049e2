"""Whole dialogues in production mode: codes read from what the fake gateways received."""

from __future__ import annotations

from typing import Any

import pytest

from tests.production import Chat, production_bot

PHONE = "+84912345678"


@pytest.mark.parametrize("provider", ["esms", "speedsms", "twilio", "http"])
def test_whole_sms_dialogue(config: dict[str, Any], provider: str) -> None:
    image = "https://example.com/share-phone.png"
    with production_bot(config, provider, ZALO_SHARE_INFO_IMAGE_URL=image) as (app, zalo, sms):
        chat = Chat(app, zalo)
        assert "bấm thẻ bên dưới để chia sẻ số Zalo" in chat.say("xác thực")
        form = zalo.payloads(chat.user)[-1].message["attachment"]["payload"]
        assert form["template_type"] == "request_user_info"
        assert form["elements"][0]["image_url"] == image
        assert "1. SMS" in chat.say("0912 345 678")
        assert "Đã gửi mã" in chat.say("1")
        code = sms.last_code_to(PHONE)
        assert code is not None
        assert "Xác thực thành công" in chat.say(code)


def test_whole_zalo_dialogue(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms):
        chat = Chat(app, zalo)
        chat.say("xác thực zalo")
        assert "tin nhắn Zalo" in chat.say("0912345678")
        (sent,) = zalo.zns_sent
        assert sent.phone == "84912345678" and sent.template_id == "otp-template"
        assert sent.tracking_id.startswith("otp-")
        assert "qua Zalo" in chat.say(sent.template_data["otp"])
        assert sms.sent == []


def test_no_zalo_account_offers_sms(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms):
        zalo.no_zalo_account("84912345678")
        chat = Chat(app, zalo)
        chat.say("xác thực"), chat.say("0912345678")
        answer = chat.say("2")
        assert "chưa có tài khoản Zalo" in answer and "Bạn chọn SMS (gõ 1)" in answer
        assert "Đã gửi mã" in chat.say("1")
        code = sms.last_code_to(PHONE)
        assert code is not None and "thành công" in chat.say(code)


def test_final_sms_failure_offers_zalo(config: dict[str, Any]) -> None:
    with production_bot(config, "twilio") as (app, zalo, sms):
        sms.always_fail("twilio", http_status=503)
        chat = Chat(app, zalo)
        chat.say("xác thực"), chat.say("0912345678")
        answer = chat.say("1")
        assert "Mình chưa gửi được mã qua SMS" in answer and "Bạn chọn 2" in answer
        assert len(sms.requests) == 4  # the first try and three retries, then the user is told
        assert "tin nhắn Zalo" in chat.say("2")
        assert len(zalo.zns_sent) == 1


def test_resend_after_a_final_failure_tries_again_at_once(config: dict[str, Any]) -> None:
    with production_bot(config, "twilio") as (app, zalo, sms):
        sms.always_fail("twilio", http_status=503)
        chat = Chat(app, zalo)
        chat.say("xác thực"), chat.say("0912345678")
        assert "hoặc gửi lại để thử lần nữa" in chat.say("1")
        sms.recover("twilio")  # the gateway is back
        answer = chat.say("gửi lại")  # no cooldown: the failed send does not count
        assert "Đã gửi mã 6 chữ số qua SMS" in answer and "chờ" not in answer
        assert len(sms.requests) == 5


def test_zns_development_mode(config: dict[str, Any]) -> None:
    with production_bot(config, ZNS_MODE="development") as (app, zalo, sms):
        chat = Chat(app, zalo)
        chat.say("xác thực zalo"), chat.say("0912345678")
        assert zalo.zns_sent[0].mode == "development"
