"""The portal demo page's words, in one language per page (BOT_LANGUAGE).

A demo of a customer portal, not the bot's chat: its texts live here, beside the page, and the
API's own `message` fields (English, for developers) are never shown to the customer.
"""

from __future__ import annotations

PAGE = {
    "vi": {
        "title": "Cổng khách hàng — xác thực số điện thoại",
        "subtitle": "bản demo sandbox · chỉ dùng API công khai /api/v1",
        "simulator": "giả lập chat",
        "account": "Tài khoản",
        "no_key": "Chưa có PORTAL_API_KEY (make run đặt sẵn một khóa ở sandbox).",
        "verify": "Xác thực số điện thoại",
        "phone": "Số điện thoại",
        "channel": "Nhận mã qua",
        "send": "Gửi mã",
        "code": "Mã xác thực",
        "code_hint": "6 chữ số",
        "check": "Xác thực",
        "link": "Liên kết Zalo",
        "link_button": "Liên kết Zalo của tôi",
        "link_send": "Gửi mã {code} tới OA trên Zalo ({url}), hoặc quét mã QR:",
        "link_hint": "Ở sandbox: gửi mã này trong giả lập chat, với tư cách một người dùng thử.",
        "account_view": "Tài khoản",
        "phones": "Điện thoại",
        "phones_hint": "tin SMS và Zalo mà sandbox đã gửi",
        "no_message": "Chưa có tin nào.",
    },
    "en": {
        "title": "Customer portal — phone verification",
        "subtitle": "sandbox demo · only the public API /api/v1",
        "simulator": "chat simulator",
        "account": "Account",
        "no_key": "No PORTAL_API_KEY (make run sets one in the sandbox).",
        "verify": "Verify your phone number",
        "phone": "Phone number",
        "channel": "Get the code by",
        "send": "Send code",
        "code": "Code",
        "code_hint": "6 digits",
        "check": "Verify",
        "link": "Link Zalo",
        "link_button": "Link my Zalo",
        "link_send": "Send the code {code} to the OA on Zalo ({url}), or scan the QR code:",
        "link_hint": "In the sandbox: send this code as a test user in the chat simulator.",
        "account_view": "Account",
        "phones": "Phones",
        "phones_hint": "SMS and Zalo messages the sandbox delivered",
        "no_message": "No message yet.",
    },
}

# What the page's script says about each API answer ({placeholders} filled in the browser).
SCRIPT = {
    "vi": {
        "locale": "vi-VN",
        "sent": "Đã gửi mã qua {channel} tới {phone} (hết hạn lúc {until}).",
        "approved": "✓ Xác thực thành công: số điện thoại đã được xác thực.",
        "wrong": "Mã chưa đúng (còn {left} lần thử).",
        "expired": "Mã đã hết hạn. Bấm Gửi mã để nhận mã mới.",
        "locked": "Nhập sai quá nhiều lần: tạm khóa đến {until}.",
        "failed": "Không gửi được mã. Hãy thử kênh khác.",
        "failed_no_zalo_account": "Số này chưa dùng Zalo. Hãy chọn SMS.",
        "retry": " Thử lại sau {seconds} giây.",
        "error": "Không thực hiện được ({error}).",
        "invalid_phone": "Số điện thoại không hợp lệ.",
        "not_mobile": "Đây không phải số di động.",
        "region_not_allowed": "Chưa hỗ trợ số điện thoại của nước này.",
        "old_prefix": "Số này dùng đầu số cũ; số mới là {new_number}.",
        "bad_request": "Hãy kiểm tra lại thông tin đã nhập.",
        "phone_in_use": "Số này đã được một tài khoản khác xác thực.",
        "cooldown": "Vừa gửi mã xong.",
        "rate_limited": "Đã gửi quá nhiều mã.",
        "channel_unavailable": "Kênh này đang không dùng được. Hãy chọn kênh khác.",
        "no_pending_verification": "Chưa có mã nào đang chờ: bấm Gửi mã trước.",
        "unknown_account": "Chưa có tài khoản này.",
        "unauthorized": "Khóa API không đúng (PORTAL_API_KEY).",
        "idempotency_key_reused": "Yêu cầu trùng khóa với một yêu cầu khác. Hãy gửi lại.",
        "idempotency_in_progress": "Yêu cầu trước vẫn đang được xử lý. Chờ một chút.",
        "unknown_oa": "Bot không phục vụ OA này.",
        "unavailable": "Hệ thống đang tạm gián đoạn.",
        "internal": "Hệ thống vừa gặp lỗi. Hãy thử lại.",
    },
    "en": {
        "locale": "en-GB",
        "sent": "Code sent by {channel} to {phone} (expires at {until}).",
        "approved": "✓ Verified: the phone number is confirmed.",
        "wrong": "Wrong code ({left} tries left).",
        "expired": "The code has expired. Press Send code for a new one.",
        "locked": "Too many wrong codes: locked until {until}.",
        "failed": "The code could not be delivered. Try the other channel.",
        "failed_no_zalo_account": "This number has no Zalo account. Choose SMS.",
        "retry": " Try again in {seconds} s.",
        "error": "That did not work ({error}).",
        "invalid_phone": "That is not a valid phone number.",
        "not_mobile": "That is not a mobile number.",
        "region_not_allowed": "Numbers from that country are not supported.",
        "old_prefix": "That number uses an old prefix; the new one is {new_number}.",
        "bad_request": "Please check what you typed.",
        "phone_in_use": "Another account has already verified this number.",
        "cooldown": "A code was just sent.",
        "rate_limited": "Too many codes were sent.",
        "channel_unavailable": "This channel is not available. Choose the other one.",
        "no_pending_verification": "No code is waiting: press Send code first.",
        "unknown_account": "No such account yet.",
        "unauthorized": "Wrong API key (PORTAL_API_KEY).",
        "idempotency_key_reused": "That request key was used for another request. Send again.",
        "idempotency_in_progress": "The previous request is still being handled. Wait a moment.",
        "unknown_oa": "The bot does not serve this OA.",
        "unavailable": "The service is briefly unavailable.",
        "internal": "Something went wrong. Please try again.",
    },
}


def page_words(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """The page's and the script's words in lang (Vietnamese when unknown)."""
    chosen = lang if lang in PAGE else "vi"
    return PAGE[chosen], SCRIPT[chosen]
