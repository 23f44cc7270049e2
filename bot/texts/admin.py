"""Texts of the admin commands and of the unlink guide."""

from __future__ import annotations

TEXTS = {
    # Polite, and the same for every admin command and step: it tells nothing of the assets.
    "admin_refused": {
        "vi": 'Xin lỗi, bạn không dùng được lệnh này. Gõ "menu" để xem mình có thể giúp gì.',
        "en": 'Sorry, this command is not available to you. Type "menu" to see what I can do.',
    },
    "admin_help": {
        "vi": "Lệnh quản trị:\n"
        "/assets — danh sách App ID và OA đang liên kết\n"
        "/unlink — hủy liên kết App ID hoặc OA (từng bước, có xác nhận)\n"
        "/unlink app <id>, /unlink oa <id> — đi thẳng tới bước xác nhận\n"
        "/audit — các thao tác quản trị gần đây\n"
        "/unlock <user_id hoặc số điện thoại> — mở khóa xác thực",
        "en": "Admin commands:\n"
        "/assets — linked App IDs and OAs\n"
        "/unlink — unlink an App ID or an OA (step by step, with confirmation)\n"
        "/unlink app <id>, /unlink oa <id> — straight to the confirmation\n"
        "/audit — recent admin actions\n"
        "/unlock <user_id or phone> — lift a verification lock",
    },
    "kind_app": {"vi": "App ID", "en": "App ID"},
    "kind_oa": {"vi": "OA", "en": "OA"},
    "assets_header": {"vi": "Tài sản đang liên kết:", "en": "Linked assets:"},
    "assets_none": {
        "vi": "Không có App ID hay OA nào đang liên kết.",
        "en": "No App ID or OA is linked.",
    },
    "asset_line": {
        "vi": "{n}. {kind} {id} — {name} (liên kết từ {since})",
        "en": "{n}. {kind} {id} — {name} (linked since {since})",
    },
    "unlink_choose_kind": {
        "vi": 'Bạn muốn hủy liên kết loại nào?\n1. App ID\n2. OA\n(Gõ "hủy" để dừng.)',
        "en": 'What do you want to unlink?\n1. App ID\n2. OA\n(Type "cancel" to stop.)',
    },
    "unlink_kind_reprompt": {
        "vi": "Vui lòng gõ 1 (App ID) hoặc 2 (OA).",
        "en": "Please type 1 (App ID) or 2 (OA).",
    },
    "unlink_pick": {
        "vi": "Chọn {kind} cần hủy liên kết (gõ số thứ tự hoặc id):\n{lines}",
        "en": "Which {kind} should be unlinked (type its number or its id)?\n{lines}",
    },
    "unlink_none_of_kind": {
        "vi": "Không có {kind} nào đang liên kết.",
        "en": "No {kind} is linked.",
    },
    "unlink_pick_reprompt": {
        "vi": "Không tìm thấy lựa chọn này. Gõ số thứ tự hoặc id trong danh sách.",
        "en": "Not found. Type a number or an id from the list.",
    },
    "unlink_unknown_asset": {
        "vi": "Không tìm thấy {kind} {id} đang liên kết.",
        "en": "No linked {kind} {id} was found.",
    },
    "unlink_confirm": {
        "vi": "Sắp hủy liên kết {kind} {id} ({name}) khỏi Zalo Cloud Account:\n"
        "- tài sản được đánh dấu đã hủy liên kết (lịch sử được giữ lại)\n"
        "- token đã lưu của nó bị xóa\n"
        "- sự kiện webhook của nó sẽ bị bỏ qua\n"
        "Gõ XÁC NHẬN để tiếp tục. Gõ bất kỳ nội dung nào khác để hủy.",
        "en": "About to unlink {kind} {id} ({name}) from the Zalo Cloud Account:\n"
        "- the asset is marked unlinked (its history is kept)\n"
        "- its stored tokens are deleted\n"
        "- its webhook events will be ignored\n"
        "Type CONFIRM to go ahead. Anything else cancels.",
    },
    "unlink_confirm_again": {
        "vi": "CẢNH BÁO: đây là {kind} mà cuộc trò chuyện này đang đi qua. Sau khi hủy liên kết, "
        "bot sẽ ngừng trả lời ở đây. Gõ XÁC NHẬN một lần nữa để hủy liên kết.",
        "en": "WARNING: this is the {kind} this very chat goes through. Once it is unlinked, "
        "the bot stops answering here. Type CONFIRM once more to unlink it.",
    },
    "unlink_cancelled": {
        "vi": "Đã hủy, không có gì thay đổi.",
        "en": "Cancelled, nothing was changed.",
    },
    "unlink_running": {
        "vi": "Đang hủy liên kết {kind} {id}...",
        "en": "Unlinking {kind} {id}...",
    },
    "unlink_done": {"vi": "Đã hủy liên kết {kind} {id}.", "en": "{kind} {id} is unlinked."},
    "unlink_already": {
        "vi": "{kind} {id} đã được hủy liên kết trước đó.",
        "en": "{kind} {id} was already unlinked.",
    },
    "audit_header": {"vi": "Thao tác quản trị gần đây:", "en": "Recent admin actions:"},
    "audit_none": {"vi": "Chưa có thao tác quản trị nào.", "en": "No admin action yet."},
    "audit_line": {
        "vi": "{at} {who}: {command} [{step}] {target} → {result}",
        "en": "{at} {who}: {command} [{step}] {target} → {result}",
    },
    "unlock_usage": {
        "vi": "Cách dùng: /unlock <user_id hoặc số điện thoại>",
        "en": "Usage: /unlock <user_id or phone>",
    },
    "unlock_done": {
        "vi": "Đã mở khóa xác thực cho {target}.",
        "en": "Verification unlocked for {target}.",
    },
    "unlock_nothing": {"vi": "{target} không bị khóa.", "en": "{target} is not locked."},
    "unlink_guide": {
        "vi": "Cách hủy liên kết OA hoặc App ID khỏi Zalo Cloud Account:\n"
        "1. Đăng nhập trang quản lý Zalo Cloud Account.\n"
        "2. Vào Cài đặt → Quản lý tài sản.\n"
        '3. Chọn thẻ "Ứng dụng đã liên kết" (App ID) hoặc "OA đã liên kết".\n'
        '4. Bấm "Hủy liên kết" ở dòng cần hủy.\n'
        "5. Đọc thông báo và bấm xác nhận.\n"
        "Chỉ quản trị viên của Cloud Account mới thực hiện được thao tác này.",
        "en": "How to unlink an OA or an App ID from the Zalo Cloud Account:\n"
        "1. Sign in to the Zalo Cloud Account console.\n"
        "2. Go to Settings → Asset management.\n"
        '3. Open the "Linked apps" tab (App IDs) or the "Linked OAs" tab.\n'
        '4. Click "Unlink" on the row to remove.\n'
        "5. Read the notice and confirm.\n"
        "Only admins of the Cloud Account can do this.",
    },
}
