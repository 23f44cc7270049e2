"""Texts of phone verification (SMS and Zalo codes)."""

from __future__ import annotations

TEXTS = {
    "step_phone": {"vi": "nhập số điện thoại", "en": "entering your phone number"},
    "step_method": {"vi": "chọn cách nhận mã", "en": "choosing how to get the code"},
    "step_code": {"vi": "nhập mã xác thực", "en": "entering the code"},
    "step_confirm_number": {"vi": "xác nhận số điện thoại", "en": "confirming your number"},
    "ask_phone": {
        "vi": "Vui lòng nhập số điện thoại bạn muốn xác thực (ví dụ 0912 345 678).",
        "en": "Please type the phone number to verify (e.g. 0912 345 678).",
    },
    "ask_phone_or_share": {
        "vi": "Vui lòng nhập số điện thoại bạn muốn xác thực (ví dụ 0912 345 678), "
        "hoặc bấm chia sẻ thông tin bên dưới.",
        "en": "Please type the phone number to verify (e.g. 0912 345 678), "
        "or tap to share your information below.",
    },
    "share_info_title": {"vi": "Chia sẻ số điện thoại", "en": "Share your phone number"},
    "share_info_subtitle": {
        "vi": "Bấm để gửi số điện thoại Zalo của bạn, không cần gõ.",
        "en": "Tap to send your Zalo phone number instead of typing it.",
    },
    "ask_use_existing": {
        "vi": "Số đang lưu của bạn: {phone}. Gõ 1 để dùng số này, hoặc nhập số khác.",
        "en": "Your number on file: {phone}. Type 1 to use it, or type another number.",
    },
    "confirm_zalo_number": {
        "vi": "Mình sẽ gửi mã qua tin nhắn Zalo đến số {phone}. Gõ 1 để đồng ý, hoặc nhập số khác.",
        "en": "I will send a code by Zalo message to {phone}. Type 1 to go ahead, or type another number.",
    },
    "phone_not_a_number": {
        "vi": "Đây không phải số điện thoại. Vui lòng nhập số như 0912 345 678.",
        "en": "That is not a phone number. Please type a number like 0912 345 678.",
    },
    "phone_invalid": {
        "vi": "Số điện thoại không hợp lệ. Vui lòng kiểm tra và nhập lại.",
        "en": "That phone number is not valid. Please check it and try again.",
    },
    "phone_not_mobile": {
        "vi": "Đây là số cố định. Vui lòng nhập số di động để nhận mã.",
        "en": "That is a landline. Please type a mobile number to receive the code.",
    },
    "phone_region": {
        "vi": "Hiện chỉ hỗ trợ số điện thoại của: {regions}. Vui lòng nhập số khác.",
        "en": "Only phone numbers from {regions} are supported. Please type another number.",
    },
    "phone_old_prefix": {
        "vi": "Số 11 chữ số đã được chuyển sang đầu số mới: {new_number}. Vui lòng nhập số mới.",
        "en": "11-digit numbers have moved to new prefixes: {new_number}. Please type the new number.",
    },
    "phone_in_use": {
        "vi": "Số điện thoại này đã được xác thực cho một tài khoản khác. Vui lòng dùng số khác.",
        "en": "This phone number is already verified for another account. Please use another one.",
    },
    "ask_method": {
        "vi": "Bạn muốn nhận mã xác thực cho số {phone} qua:\n"
        "1. SMS (mã có hiệu lực {sms_minutes} phút)\n"
        "2. Zalo (mã có hiệu lực {zalo_minutes} phút, số cần có tài khoản Zalo)\n"
        "Gõ 1 hoặc 2.",
        "en": "How should I send the code for {phone}?\n"
        "1. SMS (code valid {sms_minutes} minutes)\n"
        "2. Zalo (code valid {zalo_minutes} minutes; the number needs a Zalo account)\n"
        "Type 1 or 2.",
    },
    "method_reprompt": {
        "vi": 'Vui lòng gõ 1 (SMS) hoặc 2 (Zalo). Gõ "đổi số" để nhập số khác.',
        "en": 'Please type 1 (SMS) or 2 (Zalo). Type "change number" to use another number.',
    },
    "channel_sms": {"vi": "SMS", "en": "SMS"},
    "channel_zalo": {"vi": "tin nhắn Zalo", "en": "Zalo message"},
    "zalo_unavailable": {
        "vi": "Hiện chưa gửi được mã qua Zalo. Gõ 1 để nhận mã qua SMS.",
        "en": "Zalo codes are not available right now. Type 1 to get the code by SMS.",
    },
    "code_sent": {
        "vi": "Đã gửi mã 6 chữ số qua {channel} đến số {phone}. Mã có hiệu lực {minutes} phút. "
        'Vui lòng nhập mã. (Gõ "gửi lại" nếu chưa nhận được.)',
        "en": "A 6-digit code is on its way by {channel} to {phone}, valid for {minutes} minutes. "
        'Please type it here. (Type "resend" if it does not arrive.)',
    },
    "code_reprompt": {
        "vi": 'Vui lòng nhập mã gồm 6 chữ số. Gõ "gửi lại", "đổi số", "đổi phương thức" '
        'hoặc "hủy".',
        "en": 'Please type the 6-digit code. Or type "resend", "change number", '
        '"change method" or "cancel".',
    },
    "code_wrong": {
        "vi": "Mã không đúng. Bạn còn {left} lần thử.",
        "en": "That code is not right. {left} tries left.",
    },
    "code_expired": {
        "vi": 'Mã đã hết hạn. Gõ "gửi lại" để nhận mã mới.',
        "en": 'That code has expired. Type "resend" to get a new one.',
    },
    "locked_now": {
        "vi": "Bạn đã nhập sai quá {max} lần. Xác thực bị khóa đến {until}.",
        "en": "Too many wrong codes ({max}). Verification is locked until {until}.",
    },
    "locked": {
        "vi": "Xác thực đang bị khóa đến {until}. Vui lòng thử lại sau.",
        "en": "Verification is locked until {until}. Please try again later.",
    },
    "resend_wait": {
        "vi": "Vui lòng đợi {seconds} giây trước khi yêu cầu mã mới.",
        "en": "Please wait {seconds} seconds before asking for a new code.",
    },
    "rate_limited": {
        "vi": "Bạn đã yêu cầu quá nhiều mã. Vui lòng thử lại sau {wait}.",
        "en": "Too many codes were requested. Please try again in {wait}.",
    },
    "sms_busy": {
        "vi": "Hệ thống SMS đang quá tải. Vui lòng thử lại sau {wait}, hoặc gõ 2 để nhận mã qua Zalo.",
        "en": "SMS is busy right now. Please try again in {wait}, or type 2 to get a Zalo code.",
    },
    "verified_sms": {
        "vi": "Xác thực thành công! Số {phone} đã được xác thực qua SMS. "
        'Bạn có thể xác thực thêm qua Zalo: gõ "xác thực zalo".',
        "en": "Verified! {phone} is now verified by SMS. "
        'You can add Zalo verification too: type "verify zalo".',
    },
    "verified_zalo": {
        "vi": "Xác thực thành công! Số {phone} đã được xác thực qua Zalo.",
        "en": "Verified! {phone} is now verified by Zalo.",
    },
    "send_failed": {
        "vi": "Không gửi được mã qua {channel}. Gõ {other_choice} để nhận mã qua {other}, "
        'hoặc "gửi lại" để thử lại.',
        "en": "The code could not be sent by {channel}. Type {other_choice} to get it by {other}, "
        'or "resend" to try again.',
    },
    "send_expired": {
        "vi": 'Mã qua {channel} không gửi kịp trước khi hết hạn. Gõ "gửi lại" để nhận mã mới.',
        "en": 'The {channel} code could not be sent before it expired. Type "resend" to get a new one.',
    },
    "no_zalo_account": {
        "vi": "Số {phone} chưa có tài khoản Zalo nên không nhận được mã qua Zalo. "
        "Gõ 1 để nhận mã qua SMS.",
        "en": "{phone} has no Zalo account, so it cannot get a Zalo code. "
        "Type 1 to get the code by SMS.",
    },
    "status": {
        "vi": "Tình trạng xác thực:\nSố điện thoại: {phone}\nSMS: {sms}\nZalo: {zalo}",
        "en": "Verification status:\nPhone: {phone}\nSMS: {sms}\nZalo: {zalo}",
    },
    "status_none": {
        "vi": 'Bạn chưa xác thực số điện thoại nào. Gõ "xác thực" để bắt đầu.',
        "en": 'You have not verified a phone number yet. Type "verify" to start.',
    },
    "status_yes": {"vi": "đã xác thực ({date})", "en": "verified ({date})"},
    "status_no": {"vi": "chưa xác thực", "en": "not verified"},
    "status_locked": {"vi": "\nĐang khóa đến: {until}", "en": "\nLocked until: {until}"},
    "sms_code_text": {
        "vi": "Ma xac thuc cua ban la {code}. Ma co hieu luc {minutes} phut. "
        "Khong chia se ma nay voi bat ky ai.",
        "en": "Your verification code is {code}. It is valid for {minutes} minutes. "
        "Do not share it with anyone.",
    },
    "minutes": {"vi": "{n} phút", "en": "{n} minutes"},
    "seconds": {"vi": "{n} giây", "en": "{n} seconds"},
}
