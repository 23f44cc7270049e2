"""How the audit reads to admins: who did what, told as what it was, in words, not state names.

A line is `{at} · {actor}{step}{target}: {result}`. The actor says how the action came: typed
in the chat, a tapped button (by its title, never its payload), the unlink worker, the CLI or
the simulator. Results use the words of the reply the admin was given.
"""

from __future__ import annotations

TEXTS = {
    "audit_header": {"vi": "Thao tác quản trị gần đây:", "en": "Recent admin actions:"},
    "audit_page_header": {
        "vi": "Thao tác quản trị gần đây, trang {page}:",
        "en": "Recent admin actions, page {page}:",
    },
    "audit_none": {"vi": "Chưa có thao tác quản trị nào.", "en": "No admin action yet."},
    "audit_no_page": {
        "vi": "Không có trang {page}: nhật ký chỉ có {pages} trang.",
        "en": "There is no page {page}: the log has {pages} page(s).",
    },
    "audit_older": {
        "vi": "Cũ hơn: bấm Xem thêm hoặc gõ /audit {page}",
        "en": "Older: tap More or type /audit {page}",
    },
    "audit_usage": {
        "vi": "Cách dùng: /audit hoặc /audit <số trang>, ví dụ /audit 2",
        "en": "Usage: /audit or /audit <page number>, e.g. /audit 2",
    },
    "audit_line": {
        "vi": "{at} · {actor}{step}{target}: {result}",
        "en": "{at} · {actor}{step}{target}: {result}",
    },
    "audit_by_typing": {"vi": "{who} gõ “{command}”", "en": "{who} typed “{command}”"},
    "audit_by_tap": {"vi": "{who} bấm nút “{button}”", "en": "{who} tapped “{button}”"},
    "audit_by_worker": {"vi": "worker (lệnh của {who})", "en": "worker (for {who})"},
    "audit_by_cli": {"vi": "CLI ({who}) “{command}”", "en": "CLI ({who}) “{command}”"},
    "audit_by_sandbox": {
        "vi": "trang simulator (nút Liên kết lại)",
        "en": "the simulator page (Relink)",
    },
    "audit_by_web": {
        "vi": "{who} trên trang quản trị ({command})",
        "en": "{who} on the admin page ({command})",
    },
    "audit_by_oauth": {
        "vi": "quản trị viên OA cấp quyền trên Zalo (kết nối OA)",
        "en": "an OA admin granted the App on Zalo (OA connect)",
    },
    "audit_a_button": {"vi": "một nút", "en": "a button"},
    "audit_event": {"vi": "gửi nội dung không phải chữ ({what})", "en": "sent no text ({what})"},
    "audit_step": {"vi": " ({step})", "en": " ({step})"},
    "audit_target": {"vi": " — {target}", "en": " — {target}"},
    "audit_step_admin_unlink:choose_kind": {
        "vi": "bước chọn App ID hay OA",
        "en": "choosing App ID or OA",
    },
    "audit_step_admin_unlink:choose_asset": {
        "vi": "bước chọn cái cần hủy",
        "en": "picking which one",
    },
    "audit_step_admin_unlink:confirm": {"vi": "bước xác nhận", "en": "confirmation"},
    "audit_step_admin_unlink:confirm_again": {
        "vi": "bước xác nhận lần hai",
        "en": "second confirmation",
    },
    "audit_result_ok": {"vi": "xong", "en": "done"},
    "audit_result_refused": {
        "vi": "bị từ chối (không phải quản trị viên)",
        "en": "refused (not an admin)",
    },
    "audit_result_cancelled": {
        "vi": "đã hủy, không thay đổi gì",
        "en": "cancelled, nothing changed",
    },
    "audit_result_reprompted": {
        "vi": "không hiểu lựa chọn, đã hỏi lại",
        "en": "choice not understood, asked again",
    },
    "audit_result_next page": {"vi": "xem trang sau", "en": "next page shown"},
    "audit_result_warned": {
        "vi": "đã cảnh báo, chờ xác nhận lần hai",
        "en": "warned, awaiting a second confirmation",
    },
    "audit_result_queued": {"vi": "đang cho bot ngừng dùng", "en": "the bot is stopping using it"},
    "audit_result_worker_ok": {"vi": "bot đã ngừng dùng", "en": "the bot stopped using it"},
    "audit_result_unlinked": {"vi": "bot đã ngừng dùng", "en": "the bot stopped using it"},
    "audit_result_already": {
        "vi": "bot đã ngừng dùng từ trước",
        "en": "the bot had already stopped using it",
    },
    "audit_result_unknown": {"vi": "không tìm thấy", "en": "not found"},
    # Written by earlier releases for an id that was unknown or already unlinked alike.
    "audit_result_not linked": {
        "vi": "không tìm thấy trong danh sách đang liên kết",
        "en": "not found among the linked ones",
    },
    "audit_result_none linked": {
        "vi": "không có cái nào đang liên kết để hủy",
        "en": "none linked, nothing to unlink",
    },
    "audit_result_n_linked": {"vi": "{n} đang liên kết", "en": "{n} linked"},
    "audit_result_nothing": {
        "vi": "không có dữ liệu nào về ID này",
        "en": "nothing held about this ID",
    },
    "audit_result_n_erased": {"vi": "đã xóa {n} bản ghi", "en": "{n} records erased"},
    "audit_result_tokens stored": {"vi": "đã lưu token mới", "en": "new tokens stored"},
    "audit_result_page off": {
        "vi": "trang quản trị chưa bật, chưa gửi đường dẫn",
        "en": "the admin page is off, no link sent",
    },
    "audit_result_unlocked": {"vi": "đã mở khóa", "en": "unlocked"},
    "audit_result_not locked": {"vi": "không bị khóa", "en": "was not locked"},
    "audit_result_console confirmed": {
        "vi": "đã ghi nhận: đã hủy trên Zalo",
        "en": "recorded as unlinked in the console",
    },
    "audit_result_console already": {
        "vi": "đã được ghi nhận từ trước",
        "en": "already recorded",
    },
    "audit_result_not unlinked": {
        "vi": "chưa ghi nhận: bot vẫn đang dùng",
        "en": "not recorded: the bot still uses it",
    },
    "audit_result_linked": {"vi": "đã liên kết", "en": "linked"},
    "audit_result_link sent": {
        "vi": "đã gửi đường dẫn đăng nhập trang quản trị",
        "en": "admin page sign-in link sent",
    },
    "audit_result_connected": {"vi": "đã kết nối, token đã lưu", "en": "connected, tokens stored"},
    "audit_result_replayed": {
        "vi": "đã đưa sự kiện lỗi vào xử lý lại",
        "en": "dead letter replayed",
    },
    "audit_result_removed": {"vi": "đã xóa sự kiện lỗi", "en": "dead letter removed"},
    "audit_result_relinked": {"vi": "đã liên kết lại", "en": "linked again"},
    "audit_result_renamed": {"vi": "đã đổi tên", "en": "renamed"},
    "audit_result_admin added": {"vi": "đã thêm quản trị viên", "en": "admin added"},
    "audit_result_admin already": {"vi": "vốn đã là quản trị viên", "en": "was already an admin"},
    "audit_result_admin removed": {"vi": "đã bỏ quyền quản trị", "en": "admin removed"},
    "audit_result_admin absent": {
        "vi": "không có trong danh sách thêm bằng CLI",
        "en": "was not added with the CLI",
    },
    "btn_audit_older": {"vi": "Xem thêm ›", "en": "More ›"},
}
