"""The ZNS delivery fallback: a Zalo code with no receipt and no 'delivered' status is offered
again by SMS, once, while the user still waits for it (SPEC §9)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from bot.services import services_of
from tests.fakes.sms import FakeSmsGateways
from tests.fakes.zalo import FakeZalo
from tests.helpers import post_event, run_jobs, wait_for
from tests.portalkit import AUTH, KEY
from tests.production import Chat, production_bot
from tests.test_funnel import receipt_event

PHONE = "+84912345678"
WAIT = {"ZNS_DELIVERY_WAIT_SECONDS": "1"}
NOT_ARRIVED = "chưa đến máy bạn"


def zalo_code_asked(app: Flask, zalo: FakeZalo) -> Chat:
    """A user who asked for a Zalo code and was told it is on its way."""
    chat = Chat(app, zalo)
    chat.say("xác thực zalo")
    assert "tin nhắn Zalo" in chat.say("0912345678")
    assert len(zalo.zns_sent) == 1
    return chat


def wait_out_the_check(app: Flask) -> None:
    """Run jobs until no delivery check is left waiting (it comes due after the wait)."""
    services = services_of(app)

    def checked() -> bool:
        run_jobs(app)
        return not services.queue("codes").scheduled_job_registry.get_job_ids()

    wait_for(checked)


def later_texts(chat: Chat) -> list[str]:
    """What the user has been sent since the chat last looked."""
    texts = chat.zalo.messages_to(chat.user)
    new, chat.seen = texts[chat.seen :], len(texts)
    return new


def offers(chat: Chat) -> list[str]:
    """The SMS offers the user read (on a slow machine the check may already come due while
    the number's answer is sent: within that say(), not after it)."""
    return [text for text in chat.zalo.messages_to(chat.user) if NOT_ARRIVED in text]


def fallbacks(app: Flask, zalo: FakeZalo) -> int:
    """Today's funnel count of Zalo codes offered again by SMS."""
    counts = services_of(app).verifier.funnel.days([zalo.oa_id], 1)[0][1]
    return counts.get("zalo|failed|zns_undelivered_offered_sms", 0)


def test_a_receipt_in_time_means_no_fallback(config: dict[str, Any]) -> None:
    # A wait a busy machine cannot outrun between the send and the receipt posted below.
    with production_bot(config, ZNS_DELIVERY_WAIT_SECONDS="5") as (app, zalo, sms):
        chat = zalo_code_asked(app, zalo)
        (sent,) = zalo.zns_sent
        # The fake records the send before it answers; the bot notes the tracking_id after.
        funnel = services_of(app).verifier.funnel
        wait_for(lambda: funnel.awaits_receipt(sent.tracking_id))
        post_event(app.test_client(), receipt_event(zalo, sent), secret=zalo.oa_secret_key)
        wait_out_the_check(app)
        assert later_texts(chat) == []
        assert zalo.calls["zns_status"] == 0  # the receipt said it all
        assert fallbacks(app, zalo) == 0 and sms.sent == []
        assert "qua Zalo" in chat.say(sent.template_data["otp"])


def test_no_receipt_but_zalo_says_delivered_means_no_fallback(config: dict[str, Any]) -> None:
    with production_bot(config, **WAIT) as (app, zalo, sms):
        zalo.delivery_status(1)
        chat = zalo_code_asked(app, zalo)
        wait_out_the_check(app)
        assert later_texts(chat) == []
        assert zalo.calls["zns_status"] == 1
        counts = services_of(app).verifier.funnel.days([zalo.oa_id], 1)[0][1]
        assert counts["zalo|delivered"] == 1 and fallbacks(app, zalo) == 0
        # A receipt coming late after all is not counted twice.
        post_event(app.test_client(), receipt_event(zalo, zalo.zns_sent[0]),
                   secret=zalo.oa_secret_key)  # fmt: skip
        counts = services_of(app).verifier.funnel.days([zalo.oa_id], 1)[0][1]
        assert counts["zalo|delivered"] == 1 and sms.sent == []


def test_undelivered_code_offers_sms_that_replaces_it(config: dict[str, Any]) -> None:
    with production_bot(config, **WAIT) as (app, zalo, sms):
        chat = zalo_code_asked(app, zalo)
        zalo_code = zalo.zns_sent[0].template_data["otp"]
        wait_out_the_check(app)
        assert len(offers(chat)) == 1
        buttons = zalo.payloads(chat.user)[-1].message["attachment"]["payload"]["buttons"]
        assert (buttons[0]["title"], buttons[0]["payload"]) == ("Nhận mã qua SMS", "#sms")
        assert fallbacks(app, zalo) == 1
        # The tap at once: the resend cooldown the Zalo code started does not refuse it.
        assert "Đã gửi mã" in chat.say("#sms")
        sms_code = sms_code_to(sms)
        assert sms_code != zalo_code
        assert "Mã chưa đúng" in chat.say(zalo_code)  # replaced: the Zalo code no longer works
        assert "thành công" in chat.say(sms_code)


def test_nothing_when_the_code_was_typed_in_time(config: dict[str, Any]) -> None:
    with production_bot(config, **WAIT) as (app, zalo, sms):
        chat = zalo_code_asked(app, zalo)
        assert "qua Zalo" in chat.say(zalo.zns_sent[0].template_data["otp"])
        wait_out_the_check(app)
        assert later_texts(chat) == []
        assert zalo.calls["zns_status"] == 0 and fallbacks(app, zalo) == 0


def test_a_chat_linked_to_a_portal_account_is_offered_sms_too(config: dict[str, Any]) -> None:
    with production_bot(config, PORTAL_API_KEY=KEY, **WAIT) as (app, zalo, sms):
        client = app.test_client()
        answer = client.post("/api/v1/links", json={"account_id": "cz-100123"}, headers=AUTH)
        chat = Chat(app, zalo)
        assert "cz-…123" in chat.say(answer.get_json()["code"])
        chat.say("xác thực zalo")
        assert "tin nhắn Zalo" in chat.say("0912345678")
        wait_out_the_check(app)
        assert len(offers(chat)) == 1
        assert "Đã gửi mã" in chat.say("#sms")
        assert "thành công" in chat.say(sms_code_to(sms))


def test_a_code_the_portal_api_asked_for_is_left_to_the_portal(config: dict[str, Any]) -> None:
    with production_bot(config, PORTAL_API_KEY=KEY, **WAIT) as (app, zalo, sms):
        body = {"account_id": "cz-100123", "phone": "0912345678", "channel": "zalo"}
        answer = app.test_client().post("/api/v1/verifications", json=body, headers=AUTH)
        assert answer.status_code == 201
        run_jobs(app)
        assert len(zalo.zns_sent) == 1
        wait_out_the_check(app)
        assert zalo.calls["zns_status"] == 0 and fallbacks(app, zalo) == 0 and sms.sent == []


def sms_code_to(sms: FakeSmsGateways) -> str:
    """The code of the one SMS sent to PHONE."""
    code = sms.last_code_to(PHONE)
    assert code is not None and len(sms.sent) == 1
    return code


def test_nothing_when_the_conversation_moved_on(config: dict[str, Any]) -> None:
    with production_bot(config, **WAIT) as (app, zalo, sms):
        chat = zalo_code_asked(app, zalo)
        assert chat.say("#cancel")
        wait_out_the_check(app)
        assert later_texts(chat) == [] and sms.sent == []
