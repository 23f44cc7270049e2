"""Texts of the basic conversation: welcome, menu, help, cancel, language, errors.

The bot speaks as "mình" to "bạn" everywhere (never "chúng tôi"); buttons carry short
titles (about 20 characters fit on a phone) and the numbered text says the same.
"""

from __future__ import annotations

TEXTS = {
    "menu": {
        "vi": (
            "Mình có thể giúp bạn:\n"
            "1. Xác thực số điện thoại (mã qua SMS hoặc Zalo)\n"
            "2. Xác thực qua tin nhắn Zalo\n"
            "3. Xem trạng thái xác thực\n"
            'Bấm một nút bên dưới, gõ số thứ tự, hoặc gõ "xác thực", "trạng thái"... '
            'Gõ "hủy" bất cứ lúc nào để dừng.'
        ),
        "en": (
            "Here is what I can do:\n"
            "1. Verify your phone number (code by SMS or Zalo)\n"
            "2. Verify by Zalo message\n"
            "3. Show your verification status\n"
            'Tap a button below, type a number, or type "verify", "status"... '
            'Type "cancel" at any time to stop.'
        ),
    },
    # What admins see: the customers' menu and their own topic (never shown to customers).
    "menu_admin": {
        "vi": (
            "Mình có thể giúp bạn:\n"
            "1. Xác thực số điện thoại (mã qua SMS hoặc Zalo)\n"
            "2. Xác thực qua tin nhắn Zalo\n"
            "3. Xem trạng thái xác thực\n"
            "4. Quản trị: App ID và OA đang liên kết, hủy liên kết, nhật ký\n"
            'Bấm một nút bên dưới, gõ số thứ tự, hoặc gõ "xác thực", "trạng thái", "/help"... '
            'Gõ "hủy" bất cứ lúc nào để dừng.'
        ),
        "en": (
            "Here is what I can do:\n"
            "1. Verify your phone number (code by SMS or Zalo)\n"
            "2. Verify by Zalo message\n"
            "3. Show your verification status\n"
            "4. Admin: linked App IDs and OAs, unlinking, the audit\n"
            'Tap a button below, type a number, or type "verify", "status", "/help"... '
            'Type "cancel" at any time to stop.'
        ),
    },
    "not_understood": {
        "vi": "Xin lỗi, mình chưa hiểu ý bạn.",
        "en": "Sorry, I did not understand that.",
    },
    "greeting": {"vi": "Chào bạn! 👋", "en": "Hello! 👋"},
    "thanks_reply": {
        "vi": "Không có gì, rất vui được giúp bạn! Cần gì thêm bạn cứ nhắn nhé.",
        "en": "You're welcome, glad to help! Message me any time you need something.",
    },
    "btn_verify": {"vi": "Xác thực", "en": "Verify"},
    "btn_verify_zalo": {"vi": "Xác thực Zalo", "en": "Verify by Zalo"},
    "btn_status": {"vi": "Trạng thái", "en": "Status"},
    "btn_admin": {"vi": "Quản trị", "en": "Admin"},
    "btn_other_language": {"vi": "English", "en": "Tiếng Việt"},
    "btn_menu": {"vi": "Menu", "en": "Menu"},
    "btn_cancel": {"vi": "Hủy", "en": "Cancel"},
    "welcome": {
        "vi": "Chào mừng bạn đến với {oa_name}! 👋",
        "en": "Welcome to {oa_name}! 👋",
    },
    "help_in_step": {
        "vi": 'Bạn đang ở bước {step}. Làm tiếp như hướng dẫn dưới đây, hoặc gõ "hủy" để dừng.',
        "en": 'You are at the step: {step}. Carry on as shown below, or type "cancel" to stop.',
    },
    "still_at_step": {
        "vi": 'Bạn vẫn đang ở bước {step}. Gõ "trợ giúp" để xem lại hướng dẫn, "hủy" để dừng.',
        "en": 'You are still at the step: {step}. Type "help" to see it again, "cancel" to stop.',
    },
    "stale_choice": {
        "vi": "Lựa chọn đó thuộc một tin nhắn cũ nên mình không dùng nữa.",
        "en": "That choice belongs to an older message, so I did not act on it.",
    },
    "cancelled": {
        "vi": "Đã hủy. Bạn cần gì thêm thì bấm một nút bên dưới nhé.",
        "en": "Cancelled. Tap a button below if you need anything else.",
    },
    "nothing_to_cancel": {
        "vi": "Hiện không có việc gì đang làm dở. Bạn cần gì thì bấm một nút bên dưới nhé.",
        "en": "Nothing is in progress. Tap a button if you need anything.",
    },
    "language_set": {
        "vi": "Đã chuyển sang tiếng Việt.",
        "en": "Language set to English.",
    },
    "language_usage": {
        "vi": 'Gõ "/lang vi" (tiếng Việt) hoặc "/lang en" (English).',
        "en": 'Type "/lang en" (English) or "/lang vi" (tiếng Việt).',
    },
    "whoami": {
        "vi": "Mã người dùng Zalo của bạn với OA này: {user_id}",
        "en": "Your Zalo user id for this OA: {user_id}",
    },
    "please_type": {
        "vi": "Xin lỗi, mình chỉ đọc được tin nhắn chữ. Bạn gõ giúp mình nhé.",
        "en": "Sorry, I can only read text messages. Please type your answer.",
    },
    "timeout_restart": {
        "vi": "Lâu rồi bạn chưa trả lời nên phiên trước đã hết hạn. Mình bắt đầu lại nhé.",
        "en": "Your previous session timed out. Let's start again.",
    },
    "apology": {
        "vi": "Xin lỗi, bên mình vừa gặp sự cố. Bạn thử lại sau ít phút nhé.",
        "en": "Sorry, something went wrong on my side. Please try again in a few minutes.",
    },
    "at_time": {"vi": "{time} ngày {date}", "en": "{time} on {date}"},
}
