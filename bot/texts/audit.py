"""How the audit reads to admins: its steps and results in words, not state names."""

from __future__ import annotations

TEXTS = {
    "audit_step_entry": {"vi": "bắt đầu", "en": "start"},
    "audit_step_admin_unlink:choose_kind": {"vi": "chọn loại", "en": "choosing the kind"},
    "audit_step_admin_unlink:choose_asset": {"vi": "chọn tài sản", "en": "picking the asset"},
    "audit_step_admin_unlink:confirm": {"vi": "xác nhận", "en": "confirmation"},
    "audit_step_admin_unlink:confirm_again": {
        "vi": "xác nhận lần hai",
        "en": "second confirmation",
    },
    "audit_step_worker": {"vi": "thực hiện", "en": "carried out"},
    "audit_step_cli": {"vi": "dòng lệnh", "en": "command line"},
    "audit_result_ok": {"vi": "xong", "en": "done"},
    "audit_result_refused": {
        "vi": "bị từ chối (không phải quản trị viên)",
        "en": "refused (not an admin)",
    },
    "audit_result_cancelled": {"vi": "đã hủy", "en": "cancelled"},
    "audit_result_warned": {
        "vi": "đã cảnh báo, chờ xác nhận lần hai",
        "en": "warned, awaiting a second confirmation",
    },
    "audit_result_queued": {"vi": "đang thực hiện", "en": "started"},
    "audit_result_already": {"vi": "đã hủy liên kết từ trước", "en": "already unlinked"},
    "audit_result_unknown": {"vi": "không có trong danh sách", "en": "not in the registry"},
    "audit_result_not linked": {"vi": "không còn liên kết", "en": "not linked"},
    "audit_result_none linked": {"vi": "không có gì để hủy", "en": "nothing to unlink"},
    "audit_result_unlocked": {"vi": "đã mở khóa", "en": "unlocked"},
    "audit_result_not locked": {"vi": "không bị khóa", "en": "was not locked"},
    "audit_result_console confirmed": {
        "vi": "đã hủy trên console",
        "en": "unlinked in the console",
    },
}
