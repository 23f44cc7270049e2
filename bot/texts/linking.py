"""Texts of linking a Zalo user to a customer-portal account (the portal's link code)."""

from __future__ import annotations

TEXTS = {
    "link_done": {
        "vi": "Đã liên kết Zalo của bạn với tài khoản {account}. Từ giờ các xác thực số điện "
        'thoại của bạn thuộc về tài khoản này. Gõ "xác thực" để xác thực số điện thoại ngay.',
        "en": "Your Zalo is now linked to the account {account}. From now on your phone "
        'verifications belong to that account. Type "verify" to verify a number now.',
    },
    "link_wrong": {
        "vi": "Mã liên kết không đúng hoặc đã hết hạn. Hãy lấy mã mới trên trang tài khoản "
        "và gửi lại (còn {left} lần thử).",
        "en": "That link code is wrong or has expired. Get a new code from your account page "
        "and send it again ({left} tries left).",
    },
    "link_locked": {
        "vi": "Bạn đã nhập sai mã liên kết quá nhiều lần. Vui lòng thử lại sau {until}.",
        "en": "Too many wrong link codes. Please try again after {until}.",
    },
    "link_how": {
        "vi": "Để liên kết Zalo với tài khoản của bạn, hãy gửi mã liên kết 8 ký tự hiện trên "
        'trang tài khoản, ví dụ "liên kết AB7K9MXQ".',
        "en": "To link your Zalo to your account, send the 8-character link code shown on "
        'your account page, e.g. "link AB7K9MXQ".',
    },
    "status_linked": {
        "vi": "\nTài khoản liên kết: {account}",
        "en": "\nLinked account: {account}",
    },
}
