"""Free text as people type it, mapped to the menu's intents (and what must never be one)."""

from __future__ import annotations

import pytest

from bot.conversation.intent_matching import Intents, canonical
from handlers.intents import INTENTS

# (typed, intent): real phrasings, Vietnamese with and without marks, and English.
PHRASINGS = [
    ("xác thực", "verify"),
    ("Xác thực", "verify"),
    ("xac thuc", "verify"),
    ("XÁC THỰC", "verify"),
    ("xác thực ạ", "verify"),
    ("Xác thực 🙏", "verify"),
    ("xác thực!!!", "verify"),
    ("xác thực sđt", "verify"),
    ("xac thuc sdt", "verify"),
    ("xác thực số điện thoại", "verify"),
    ("mình muốn xác thực số điện thoại", "verify"),
    ("Mình muốn xác thực sđt ạ", "verify"),
    ("em muốn xác thực ạ", "verify"),
    ("cho mình xác thực với", "verify"),
    ("Ad ơi cho mình xác minh với ạ", "verify"),
    ("xác minh số điện thoại nhé", "verify"),
    ("xac minh sdt", "verify"),
    ("shop ơi em muốn xác thực tài khoản", "verify"),
    ("giúp mình xác thực số điện thoại của mình nhé", "verify"),
    ("lấy mã otp", "verify"),
    ("#verify", "verify"),
    ("verify", "verify"),
    ("Verify my phone number please", "verify"),
    ("I want to verify my phone", "verify"),
    ("please verify me", "verify"),
    ("I'd like to verify my number", "verify"),
    ("xác thực zalo", "verify_zalo"),
    ("xac thuc zalo", "verify_zalo"),
    ("xác thực qua Zalo nhé", "verify_zalo"),
    ("mình muốn xác thực bằng zalo", "verify_zalo"),
    ("#verify_zalo", "verify_zalo"),
    ("verify by Zalo", "verify_zalo"),
    ("I want to verify with zalo", "verify_zalo"),
    ("trạng thái", "status"),
    ("trang thai", "status"),
    ("xem trạng thái ạ", "status"),
    ("kiểm tra trạng thái xác thực", "status"),
    ("mình đã xác thực chưa?", "status"),
    ("xác thực xong chưa ạ", "status"),
    ("#status", "status"),
    ("check my status", "status"),
    ("Status?", "status"),
    ("menu", "help"),
    ("giúp mình với", "help"),
    ("trợ giúp", "help"),
    ("hướng dẫn", "help"),
    ("?", "help"),
    ("help please", "help"),
    ("chào shop ạ", "greeting"),
    ("xin chào", "greeting"),
    ("alo", "greeting"),
    ("Hello!", "greeting"),
    ("hi 👋", "greeting"),
    ("cảm ơn", "thanks"),
    ("cám ơn bạn nhiều", "thanks"),
    ("cam on shop", "thanks"),
    ("ok cảm ơn nhé", "thanks"),
    ("thank you!", "thanks"),
    ("thanks", "thanks"),
    ("tks ad", "thanks"),
    ("hủy", "cancel"),
    ("huỷ", "cancel"),
    ("huy", "cancel"),
    ("thôi hủy đi", "cancel"),
    ("dừng lại", "cancel"),
    ("cancel", "cancel"),
    ("stop please", "cancel"),
    ("liên kết tài khoản", "link"),
    ("mình muốn liên kết tài khoản ạ", "link"),
    ("link my account", "link"),
    ("hủy liên kết", "unlink_guide"),
    ("huy lien ket", "unlink_guide"),
    ("cách hủy liên kết OA", "unlink_guide"),
    ("cách hủy liên kết app id?", "unlink_guide"),
    ("unlink", "unlink_guide"),
    ("how do I unlink", "unlink_guide"),
    ("đổi số", "other_number"),
    ("đổi số điện thoại nhé", "other_number"),
    ("mình muốn dùng số khác", "other_number"),
    ("change my phone number", "other_number"),
    ("đổi cách nhận mã", "change_method"),
    ("change method", "change_method"),
    ("gửi lại", "resend"),
    ("gửi lại mã giúp mình", "resend"),
    ("mình chưa nhận được mã ạ", "resend"),
    ("resend the code", "resend"),
]


@pytest.mark.parametrize(("typed", "intent"), PHRASINGS)
def test_real_phrasings_reach_their_intent(typed: str, intent: str) -> None:
    assert INTENTS.of(typed) == intent


def test_the_table_is_large_and_covers_every_intent() -> None:
    assert len(PHRASINGS) >= 60
    assert {intent for _, intent in PHRASINGS} == set(INTENTS.phrases.values())


@pytest.mark.parametrize(
    "typed",
    [
        # Answers a step is waiting for: a number, a code, a link code, a menu number.
        "0912345678",
        "0912 345 678",
        "+84 912 345 678",
        "84912345678",
        "0912.345.678",
        "123456",
        "１２３４５６",
        "123 456",
        "AB7K9MXQ",
        "1",
        "2",
        # Negations and look-alikes are not requests.
        "không xác thực",
        "đừng hủy",
        "chưa",
        "xác nhận",
        "ok",
        "có",
        # Unrelated text, and politeness alone.
        "bonjour",
        "giá bao nhiêu",
        "ạ",
        "🙏",
        "",
    ],
)
def test_what_is_no_intent_stays_no_intent(typed: str) -> None:
    assert INTENTS.of(typed) is None


def test_politeness_is_set_aside_but_never_the_last_word() -> None:
    assert canonical("Mình muốn xác thực sđt ạ 🙏") == "xac thuc sdt"
    assert canonical("ạ") == "a"  # alone, it is what was said
    assert canonical("please") == "please"


def test_a_phrase_claimed_by_two_intents_is_refused() -> None:
    with pytest.raises(ValueError, match="claimed twice"):
        Intents({"verify": ("xác thực",), "status": ("xac thuc nhé",)})
