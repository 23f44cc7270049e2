"""Texts of phone verification (SMS and Zalo codes)."""

from __future__ import annotations

TEXTS = {
    "step_phone": {"vi": "nhập số điện thoại", "en": "typing your phone number"},
    "step_method": {"vi": "chọn cách nhận mã", "en": "choosing how to get the code"},
    "step_code": {"vi": "nhập mã xác thực", "en": "typing the code"},
    "step_confirm_number": {"vi": "xác nhận số điện thoại", "en": "confirming your number"},
    "btn_sms": {"vi": "SMS", "en": "SMS"},
    "btn_zalo": {"vi": "Zalo", "en": "Zalo"},
    "btn_use_number": {"vi": "Dùng số này", "en": "Use this number"},
    "btn_send_here": {"vi": "Gửi đến số này", "en": "Send to this number"},
    "btn_other_number": {"vi": "Số khác", "en": "Another number"},
    "btn_sms_instead": {"vi": "Nhận mã qua SMS", "en": "Get it by SMS"},
    "btn_resend": {"vi": "Gửi lại mã", "en": "Resend the code"},
    "btn_change_method": {"vi": "Đổi cách nhận", "en": "Change method"},
    "ask_phone": {
        "vi": "Bạn nhập số điện thoại cần xác thực nhé (ví dụ 0912 345 678).",
        "en": "Please type the phone number to verify (e.g. 0912 345 678).",
    },
    "ask_phone_or_share": {
        "vi": "Bạn nhập số điện thoại cần xác thực (ví dụ 0912 345 678), "
        "hoặc bấm thẻ bên dưới để chia sẻ số Zalo của bạn.",
        "en": "Please type the phone number to verify (e.g. 0912 345 678), "
        "or tap the card below to share your Zalo number.",
    },
    "share_info_title": {"vi": "Chia sẻ số điện thoại", "en": "Share your phone number"},
    "share_info_subtitle": {
        "vi": "Bấm để gửi số điện thoại Zalo của bạn, không cần gõ.",
        "en": "Tap to send your Zalo phone number instead of typing it.",
    },
    "ask_use_existing": {
        "vi": "Số bạn đã lưu: {phone}.\n1. Dùng số này\n2. Nhập số khác\n"
        "Bấm nút, gõ 1 / 2, hoặc gõ luôn số mới.",
        "en": "Your number on file: {phone}.\n1. Use this number\n2. Another number\n"
        "Tap a button, type 1 / 2, or type the new number.",
    },
    "confirm_zalo_number": {
        "vi": "Mình sẽ gửi mã qua tin nhắn Zalo đến số {phone}.\n1. Gửi đến số này\n"
        "2. Nhập số khác",
        "en": "I will send a code by Zalo message to {phone}.\n1. Send to this number\n"
        "2. Another number",
    },
    "phone_not_a_number": {
        "vi": "Đây chưa phải số điện thoại. Bạn nhập số dạng 0912 345 678 nhé.",
        "en": "That is not a phone number. Please type a number like 0912 345 678.",
    },
    "phone_invalid": {
        "vi": "Số điện thoại này không hợp lệ. Bạn kiểm tra rồi nhập lại giúp mình nhé.",
        "en": "That phone number is not valid. Please check it and type it again.",
    },
    "phone_not_mobile": {
        "vi": "Đây là số máy bàn, không nhận được tin nhắn. Bạn nhập số di động nhé.",
        "en": "That is a landline, which cannot receive the code. Please type a mobile number.",
    },
    "phone_region": {
        "vi": "Hiện mình chỉ nhận số điện thoại {regions}. Bạn nhập số khác nhé.",
        "en": "I can only take phone numbers from {regions}. Please type another number.",
    },
    "phone_old_prefix": {
        "vi": "Số 11 chữ số đã chuyển sang đầu số mới: {new_number}. Bạn nhập số mới nhé.",
        "en": "11-digit numbers have moved to new prefixes: {new_number}. "
        "Please type the new number.",
    },
    "phone_in_use": {
        "vi": "Số này đã được xác thực cho một tài khoản khác. Bạn nhập số khác nhé.",
        "en": "This number is already verified for another account. Please type another one.",
    },
    "phone_unavailable": {
        "vi": "Số này hiện không dùng để xác thực được. Bạn nhập số khác, "
        'hoặc gõ "giúp" nếu cần hỗ trợ nhé.',
        "en": "This number cannot be used for verification right now. Please type another "
        'number, or type "help" if you need a hand.',
    },
    "numbers_limited": {
        "vi": "Bạn đã thử nhiều số điện thoại khác nhau trong thời gian ngắn. Bạn nhập số mới "
        'được từ {until}; các số đã nhập vẫn dùng được. Gõ "giúp" nếu cần hỗ trợ, '
        'hoặc "hủy" để dừng.',
        "en": "You have tried several different numbers in a short time. You can type a new "
        'number from {until}; the numbers you already typed still work. Type "help" for a '
        'hand, or "cancel" to stop.',
    },
    "phone_locked": {
        "vi": "Số {phone} đang tạm khóa đến {until} vì đã bị nhập sai mã quá nhiều lần. "
        "Bạn nhập số khác, hoặc quay lại sau thời điểm đó nhé.",
        "en": "{phone} is locked until {until} after too many wrong codes. "
        "Please type another number, or come back after that.",
    },
    "ask_method": {
        "vi": "Bạn muốn nhận mã cho số {phone} qua kênh nào?\n"
        "1. SMS (mã dùng được {sms_minutes} phút)\n"
        "2. Zalo (mã dùng được {zalo_minutes} phút, số phải có tài khoản Zalo)",
        "en": "How should I send the code for {phone}?\n"
        "1. SMS (code valid {sms_minutes} minutes)\n"
        "2. Zalo (code valid {zalo_minutes} minutes; the number needs a Zalo account)",
    },
    "method_reprompt": {
        "vi": 'Bạn chọn 1 (SMS) hoặc 2 (Zalo) nhé. Muốn dùng số khác thì gõ "đổi số".',
        "en": 'Please choose 1 (SMS) or 2 (Zalo). Type "change number" to use another number.',
    },
    "method_needs_phone": {
        "vi": "Bạn nhập số điện thoại trước, rồi mình hỏi cách nhận mã nhé.",
        "en": "Please type the phone number first; then I will ask how to send the code.",
    },
    "channel_sms": {"vi": "SMS", "en": "SMS"},
    "channel_zalo": {"vi": "tin nhắn Zalo", "en": "Zalo message"},
    "zalo_unavailable": {
        "vi": "Hiện mình chưa gửi được mã qua Zalo. Bạn chọn SMS (gõ 1) nhé.",
        "en": "Zalo codes are not available right now. Please choose SMS (type 1).",
    },
    "code_sent": {
        "vi": "Đã gửi mã 6 chữ số qua {channel} đến số {phone}. Mã dùng được trong "
        "{minutes} phút, bạn nhập mã vào đây nhé.",
        "en": "A 6-digit code is on its way by {channel} to {phone}, valid for {minutes} "
        "minutes. Please type it here.",
    },
    "code_reprompt": {
        "vi": "Bạn nhập mã 6 chữ số vừa nhận nhé. Chưa nhận được thì bấm gửi lại, "
        "hoặc đổi cách nhận, đổi số.",
        "en": "Please type the 6-digit code you received. If it has not arrived, resend it, "
        "or change the method or the number.",
    },
    "code_wrong": {
        "vi": "Mã chưa đúng. Bạn còn {left} lần thử.",
        "en": "That code is not right. {left} tries left.",
    },
    "code_expired": {
        "vi": "Mã này đã hết hạn. Bấm gửi lại để nhận mã mới nhé.",
        "en": "That code has expired. Tap resend to get a new one.",
    },
    "locked_now": {
        "vi": "Bạn đã nhập sai mã {max} lần nên tạm thời chưa xác thực được. "
        'Sau {until}, bạn gõ "xác thực" để nhận mã mới nhé.',
        "en": "That was wrong code number {max}, so verification is paused until {until}. "
        'After that, type "verify" to get a new code.',
    },
    "locked": {
        "vi": "Bạn đã nhập sai mã quá nhiều lần nên tạm thời chưa xác thực được. "
        "Bạn thử lại sau {until} nhé.",
        "en": "Too many wrong codes: verification is paused until {until}. "
        "Please try again after that.",
    },
    # A code typed after the dialogue ended; it is not checked, so it tells nothing.
    "code_while_locked": {
        "vi": "Mình chưa kiểm tra mã này vì bạn đã nhập sai mã quá nhiều lần. "
        "Bạn thử lại sau {until} nhé.",
        "en": "I did not check that code: after too many wrong codes, verification is paused "
        "until {until}.",
    },
    "code_not_expected": {
        "vi": "Mình không chờ mã nào lúc này, nên chưa kiểm tra mã này. Muốn nhận mã mới, "
        'bạn gõ "xác thực" hoặc bấm một nút bên dưới nhé.',
        "en": "I am not waiting for a code right now, so I did not check that one. To get a "
        'new code, type "verify" or tap a button below.',
    },
    "resend_wait": {
        "vi": "Bạn đợi {seconds} giây nữa rồi hãy yêu cầu mã mới nhé.",
        "en": "Please wait {seconds} seconds before asking for a new code.",
    },
    "resend_nothing": {
        "vi": 'Hiện chưa có mã nào để gửi lại. Bấm "Xác thực" để bắt đầu nhé.',
        "en": 'There is no code to resend yet. Tap "Verify" to start.',
    },
    "resend_not_yet": {
        "vi": "Mình chưa gửi mã nào ở bước này nên chưa có gì để gửi lại.",
        "en": "No code has been sent at this step yet, so there is nothing to resend.",
    },
    "rate_limited": {
        "vi": "Bạn đã yêu cầu quá nhiều mã. Bạn thử lại sau {wait} nhé.",
        "en": "Too many codes were requested. Please try again in {wait}.",
    },
    "sms_busy": {
        "vi": "Hệ thống SMS đang quá tải. Bạn thử lại sau {wait}, hoặc chọn Zalo (gõ 2) "
        "để nhận mã qua Zalo.",
        "en": "SMS is busy right now. Please try again in {wait}, or choose Zalo (type 2).",
    },
    "verified_sms": {
        "vi": "Xác thực thành công! Số {phone} đã được xác thực qua SMS. "
        'Bạn có thể xác thực thêm qua Zalo: gõ "xác thực zalo" hoặc bấm nút bên dưới.',
        "en": "Verified! {phone} is now verified by SMS. "
        'You can add Zalo verification too: type "verify zalo" or tap below.',
    },
    "verified_zalo": {
        "vi": "Xác thực thành công! Số {phone} đã được xác thực qua Zalo.",
        "en": "Verified! {phone} is now verified by Zalo.",
    },
    "send_failed": {
        "vi": "Mình chưa gửi được mã qua {channel}. Bạn chọn {other_choice} để nhận mã qua "
        "{other}, hoặc gửi lại để thử lần nữa.",
        "en": "The code could not be sent by {channel}. Choose {other_choice} to get it by "
        "{other}, or resend to try again.",
    },
    "zns_not_arrived": {
        "vi": "Mã qua Zalo có vẻ chưa đến máy bạn. Bấm nút bên dưới để nhận mã mới qua SMS "
        "ngay (mã Zalo cũ sẽ không dùng được nữa), hoặc nhập mã Zalo nếu vừa nhận được.",
        "en": "Your Zalo code does not seem to have arrived. Tap below to get a new code by "
        "SMS now (the Zalo code then stops working), or type the Zalo code if it just came.",
    },
    "send_expired": {
        "vi": 'Mã qua {channel} không gửi kịp trước khi hết hạn. Gõ "gửi lại" để nhận mã mới.',
        "en": 'The {channel} code could not be sent before it expired. Type "resend" to get a new one.',
    },
    "no_zalo_account": {
        "vi": "Số {phone} chưa có tài khoản Zalo nên không nhận được mã qua Zalo. "
        "Bạn chọn SMS (gõ 1) nhé.",
        "en": "{phone} has no Zalo account, so it cannot get a Zalo code. "
        "Please choose SMS (type 1).",
    },
    "status": {
        "vi": "Trạng thái xác thực:\nSố điện thoại: {phone}\nSMS: {sms}\nZalo: {zalo}",
        "en": "Verification status:\nPhone: {phone}\nSMS: {sms}\nZalo: {zalo}",
    },
    "status_none": {
        "vi": 'Bạn chưa xác thực số điện thoại nào. Bấm "Xác thực" để bắt đầu.',
        "en": 'You have not verified a phone number yet. Tap "Verify" to start.',
    },
    "status_none_yet": {
        "vi": "Bạn chưa xác thực số điện thoại nào.",
        "en": "You have not verified a phone number yet.",
    },
    "status_none_locked": {
        "vi": "Bạn chưa xác thực số điện thoại nào.\nDo nhập sai mã quá nhiều lần, bạn tạm "
        "thời chưa xác thực được. Bạn thử lại sau {until} nhé.",
        "en": "You have not verified a phone number yet.\nVerification is paused until {until}.",
    },
    "status_yes": {"vi": "đã xác thực ({date})", "en": "verified ({date})"},
    "status_no": {"vi": "chưa xác thực", "en": "not verified"},
    "status_locked": {
        "vi": "\nTạm khóa xác thực đến: {until} (do nhập sai mã quá nhiều lần)",
        "en": "\nVerification paused until: {until} (too many wrong codes)",
    },
    "sms_code_text": {
        "vi": "Ma xac thuc cua ban la {code}. Ma co hieu luc {minutes} phut. "
        "Khong chia se ma nay voi bat ky ai.",
        "en": "Your verification code is {code}. It is valid for {minutes} minutes. "
        "Do not share it with anyone.",
    },
    "minutes": {"vi": "{n} phút", "en": "{n} minutes"},
    "seconds": {"vi": "{n} giây", "en": "{n} seconds"},
}
