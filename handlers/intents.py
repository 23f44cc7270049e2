"""What people type for each thing the bot does, in Vietnamese (with or without marks) and
English; politeness around it ('ạ', 'nhé', 'mình muốn …', 'please') is set aside by
bot.conversation.intent_matching, so only the core of each request is listed here.
"""

from __future__ import annotations

from bot.conversation.flow import Handler, Intent
from bot.conversation.intent_matching import Intents

INTENTS = Intents(
    {
        "verify": (
            "xác thực", "xác thực sđt", "xác thực số", "xác thực tài khoản", "xác thực ngay",
            "bắt đầu xác thực", "xác thực sms", "xác thực qua sms", "nhận mã", "lấy mã",
            "lấy mã otp", "mã otp", "otp", "verify", "verify sđt", "verify account",
            "verify me", "verification", "verify by sms", "get a code", "get code",
        ),
        "verify_zalo": (
            "xác thực zalo", "xác thực qua zalo", "xác thực bằng zalo", "xác thực sđt qua zalo",
            "nhận mã qua zalo", "verify zalo", "verify by zalo", "verify with zalo",
            "verify via zalo", "zalo verification",
        ),
        "status": (
            "trạng thái", "xem trạng thái", "kiểm tra trạng thái", "trạng thái xác thực",
            "tình trạng", "tình trạng xác thực", "đã xác thực chưa", "xác thực chưa",
            "xác thực xong chưa", "kiểm tra", "status", "check status", "verification status",
            "am i verified",
        ),
        "help": (
            "menu", "help", "giúp", "giúp mình", "giúp đỡ", "trợ giúp", "cần giúp",
            "hỗ trợ", "hướng dẫn", "?", "bắt đầu", "chức năng", "làm sao", "start", "support",
            "options", "what can you do",
        ),
        "greeting": (
            "hi", "hello", "hey", "xin chào", "chào", "chào bạn", "chào shop", "alo",
            "good morning", "hi there",
        ),
        "thanks": (
            "cảm ơn", "cám ơn", "ok cảm ơn", "oke cảm ơn", "thanks a lot", "many thanks",
            "cảm ơn nhé",
        ),
        "cancel": (
            "hủy", "huỷ", "cancel", "thoát", "stop", "dừng", "dừng lại", "hủy bỏ", "thôi",
            "không cần nữa", "quit", "exit", "never mind", "nevermind",
        ),
        "link": (
            "liên kết", "liên kết tài khoản", "liên kết zalo", "kết nối tài khoản", "link",
            "link account", "link zalo", "connect account",
        ),
        "unlink_guide": (
            "hủy liên kết", "cách hủy liên kết", "hướng dẫn hủy liên kết", "hủy liên kết oa",
            "hủy liên kết app", "hủy liên kết app id", "cách hủy liên kết oa",
            "cách hủy liên kết app", "cách hủy liên kết app id", "gỡ liên kết", "gỡ liên kết oa",
            "unlink", "unlink oa", "unlink app", "unlink app id", "how to unlink",
            "how do i unlink",
        ),
        "other_number": (
            "đổi số", "đổi sđt", "số khác", "dùng số khác", "nhập số khác", "change number",
            "change sđt", "other number", "another number", "use another number",
        ),
        "change_method": (
            "đổi phương thức", "đổi cách", "đổi cách nhận", "đổi cách nhận mã", "change method",
            "change_method", "another method",
        ),
        "resend": (
            "gửi lại", "gửi lại mã", "gửi mã", "gửi mã mới", "mã mới", "chưa nhận được mã",
            "không nhận được mã", "resend", "resend code", "send again", "send a new code",
            "new code",
        ),
    }
)  # fmt: skip


def said(name: str, then: Handler) -> Intent:
    """A route for free text that means the intent `name`."""
    if name not in INTENTS.phrases.values():
        raise ValueError(f"no such intent: {name}")
    return Intent(INTENTS, name, then)
