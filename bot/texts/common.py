"""Texts of the basic conversation: welcome, menu, help, cancel, language, errors."""

from __future__ import annotations

TEXTS = {
    "menu": {
        "vi": (
            "Mình có thể giúp bạn:\n"
            '1. Gõ "xác thực" để xác thực số điện thoại (mã qua SMS hoặc Zalo)\n'
            '2. Gõ "xác thực zalo" để xác thực qua tin nhắn Zalo\n'
            '3. Gõ "trạng thái" để xem tình trạng xác thực\n'
            '4. Gõ "hủy liên kết" để xem cách hủy liên kết OA / App ID\n'
            'Gõ "hủy" bất cứ lúc nào để dừng, "/lang en" for English.'
        ),
        "en": (
            "Here is what I can do:\n"
            '1. Type "verify" to verify your phone number (code by SMS or Zalo)\n'
            '2. Type "verify zalo" to verify by Zalo message\n'
            '3. Type "status" to see your verification status\n'
            '4. Type "unlink" to see how to unlink an OA / App ID\n'
            'Type "cancel" at any time to stop, "/lang vi" cho tiếng Việt.'
        ),
    },
    "welcome": {
        "vi": "Chào mừng bạn đến với OA! 👋",
        "en": "Welcome to our Official Account! 👋",
    },
    "help_in_step": {
        "vi": 'Bạn đang ở bước: {step}. Gõ "hủy" để dừng, hoặc làm tiếp theo hướng dẫn ở trên.',
        "en": 'You are at this step: {step}. Type "cancel" to stop, or carry on as asked above.',
    },
    "cancelled": {
        "vi": 'Đã hủy. Gõ "menu" để xem các lựa chọn.',
        "en": 'Cancelled. Type "menu" to see what I can do.',
    },
    "nothing_to_cancel": {
        "vi": 'Không có thao tác nào đang chờ. Gõ "menu" để xem các lựa chọn.',
        "en": 'Nothing is in progress. Type "menu" to see what I can do.',
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
        "vi": "Xin lỗi, mình chỉ đọc được tin nhắn chữ. Bạn vui lòng gõ nội dung nhé.",
        "en": "Sorry, I can only read text messages. Please type your answer.",
    },
    "timeout_restart": {
        "vi": "Phiên trước đã hết hạn vì lâu không có phản hồi. Mình bắt đầu lại nhé.",
        "en": "Your previous session timed out. Let's start again.",
    },
    "apology": {
        "vi": "Xin lỗi, đã có lỗi xảy ra phía chúng tôi. Bạn vui lòng thử lại sau ít phút.",
        "en": "Sorry, something went wrong on our side. Please try again in a few minutes.",
    },
}
