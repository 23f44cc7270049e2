"""Texts of connecting an OA (Zalo's permission flow): the page the OA admin lands on after
granting the App, in BOT_LANGUAGE, and why a connection was refused (the CLI and the logs
say the English one)."""

from __future__ import annotations

TEXTS = {
    "connect_page_done_title": {"vi": "Đã kết nối OA", "en": "OA connected"},
    "connect_page_done": {
        "vi": "{name} (OA {oa_id}) đã cấp quyền cho App {app_id}. Bot đã lưu token của OA và "
        "sẽ tự gia hạn; từ giờ bot trả lời tin nhắn của OA này.",
        "en": "{name} (OA {oa_id}) granted App {app_id}. Its tokens are stored and renewed by "
        "the bot; it is served from now on.",
    },
    "connect_page_failed_title": {
        "vi": "Chưa kết nối được OA",
        "en": "The OA was not connected",
    },
    "connect_page_back": {"vi": "Quay lại simulator", "en": "Back to the simulator"},
    "connect_no_base_url": {
        "vi": "Chưa đặt PUBLIC_BASE_URL: Zalo cần một địa chỉ https công khai.",
        "en": "PUBLIC_BASE_URL is not set: Zalo needs a public https address",
    },
    "connect_no_app": {
        "vi": "Cần ZALO_APP_ID và ZALO_APP_SECRET để kết nối OA.",
        "en": "ZALO_APP_ID and ZALO_APP_SECRET are needed to connect an OA",
    },
    "connect_expired": {
        "vi": "Đường dẫn này đã được dùng hoặc đã quá mười phút. Hãy chạy lại "
        "`flask oa connect` và cấp quyền trong vòng mười phút.",
        "en": "This link was already used or is older than ten minutes: run `flask oa connect` "
        "again and grant within ten minutes.",
    },
    "connect_denied": {
        "vi": "Quản trị viên OA chưa cấp quyền cho App trên trang của Zalo (Zalo không gửi mã về).",
        "en": "The OA admin did not grant the App on Zalo's page (no code came).",
    },
    "connect_app_inactive": {
        "vi": "Zalo báo App chưa được kích hoạt: hãy kích hoạt App trong trang Zalo for "
        "Developers.",
        "en": "Zalo says the App is not activated: activate it in the Zalo developers console.",
    },
    "connect_bad_secret": {
        "vi": "Zalo không chấp nhận App Secret: hãy đối chiếu ZALO_APP_SECRET với phần cài đặt "
        "của App.",
        "en": "Zalo refused the App Secret: check ZALO_APP_SECRET against the App's settings.",
    },
    "connect_code_used": {
        "vi": "Mã Zalo gửi về đã được dùng hoặc đã hết hạn: hãy kết nối lại.",
        "en": "The code from Zalo was already used or has expired: connect again.",
    },
    "connect_refused": {
        "vi": "Zalo không chấp nhận mã ({reason}).",
        "en": "Zalo refused the code ({reason}).",
    },
    "connect_unreachable": {
        "vi": "Không kết nối được tới máy chủ OAuth của Zalo: hãy thử lại.",
        "en": "Zalo's OAuth server could not be reached: try again.",
    },
    "connect_other_oa": {
        "vi": "Token Zalo cấp thuộc về một OA khác với OA đã chọn.",
        "en": "The token Zalo gave belongs to another OA than the one named.",
    },
    "connect_other_app": {
        "vi": "OA {oa_id} đang được phục vụ qua App {configured} (ZALO_EXTRA_APPS), không phải "
        "App {app_id}: hãy bỏ nó khỏi đó trước.",
        "en": "OA {oa_id} is served here through App {configured} (ZALO_EXTRA_APPS), not App "
        "{app_id}: remove it there first.",
    },
    "connect_no_profile": {
        "vi": "Zalo không trả về thông tin của OA ({reason}).",
        "en": "Zalo did not show the OA's profile ({reason}).",
    },
    "connect_unavailable": {
        "vi": "Redis không phản hồi: hãy thử lại.",
        "en": "Redis is unavailable: try again.",
    },
}
