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
        "/unlock <user_id hoặc số điện thoại> — mở khóa xác thực\n"
        "/admin — liên kết đăng nhập trang quản trị",
        "en": "Admin commands:\n"
        "/assets — linked App IDs and OAs\n"
        "/unlink — unlink an App ID or an OA (step by step, with confirmation)\n"
        "/unlink app <id>, /unlink oa <id> — straight to the confirmation\n"
        "/audit — recent admin actions\n"
        "/unlock <user_id or phone> — lift a verification lock\n"
        "/admin — a sign-in link to the admin page",
    },
    "admin_page_link": {
        "vi": "Trang quản trị: {url}\nLiên kết dùng được một lần, trong {minutes} phút. "
        "Đừng chuyển cho ai.",
        "en": "The admin page: {url}\nThis link works once, for {minutes} minutes. "
        "Do not forward it.",
    },
    "admin_page_off": {
        "vi": "Trang quản trị chưa bật: cần ADMIN_SESSION_SECRET và PUBLIC_BASE_URL.",
        "en": "The admin page is off: it needs ADMIN_SESSION_SECRET and PUBLIC_BASE_URL.",
    },
    "kind_app": {"vi": "App ID", "en": "App ID"},
    "kind_oa": {"vi": "OA", "en": "OA"},
    "btn_app": {"vi": "App ID", "en": "App ID"},
    "btn_oa": {"vi": "OA", "en": "OA"},
    "btn_confirm": {"vi": "Xác nhận", "en": "Confirm"},
    "btn_more": {"vi": "Xem thêm ›", "en": "More ›"},
    "btn_console_done": {"vi": "Đã hủy trên Zalo", "en": "Unlinked in Zalo"},
    "btn_assets": {"vi": "App ID và OA", "en": "App IDs and OAs"},
    "step_unlink_kind": {"vi": "chọn loại cần hủy liên kết", "en": "choosing what to unlink"},
    "step_unlink_pick": {
        "vi": "chọn App ID hoặc OA cần hủy liên kết",
        "en": "picking the App ID or OA to unlink",
    },
    "assets_header": {"vi": "App ID và OA đang liên kết:", "en": "Linked App IDs and OAs:"},
    "assets_none": {
        "vi": "Không có App ID hay OA nào đang liên kết.",
        "en": "No App ID or OA is linked.",
    },
    "asset_line": {
        "vi": "{n}. {kind} {name} ({id}), liên kết từ {since}",
        "en": "{n}. {kind} {name} ({id}), linked since {since}",
    },
    "assets_unlinked_header": {
        "vi": "Bot đã ngừng dùng:",
        "en": "No longer used by the bot:",
    },
    "asset_unlinked_line": {
        "vi": "- {kind} {name} ({id}): ngừng dùng lúc {at}; Zalo Cloud Account: {console}",
        "en": "- {kind} {name} ({id}): stopped at {at}; Zalo Cloud Account: {console}",
    },
    "console_pending": {
        "vi": "chưa xác nhận đã hủy liên kết",
        "en": "not yet confirmed as unlinked",
    },
    "console_done_at": {"vi": "đã hủy liên kết lúc {at}", "en": "unlinked at {at}"},
    "unlink_choose_kind": {
        "vi": "Bạn muốn hủy liên kết loại nào?\n1. App ID\n2. OA",
        "en": "What do you want to unlink?\n1. App ID\n2. OA",
    },
    "unlink_kind_reprompt": {
        "vi": "Bạn chọn 1 (App ID) hoặc 2 (OA) nhé.",
        "en": "Please choose 1 (App ID) or 2 (OA).",
    },
    "unlink_pick": {
        "vi": "Chọn {kind} cần hủy liên kết (bấm nút, gõ số thứ tự hoặc id):\n{lines}",
        "en": "Which {kind} should be unlinked (tap it, or type its number or id)?\n{lines}",
    },
    "unlink_pick_line": {"vi": "{n}. {name} ({id})", "en": "{n}. {name} ({id})"},
    "unlink_none_of_kind": {
        "vi": "Không có {kind} nào đang liên kết.",
        "en": "No {kind} is linked.",
    },
    "unlink_pick_reprompt": {
        "vi": "Mình không thấy lựa chọn này. Bạn gõ số thứ tự hoặc id trong danh sách, "
        'hoặc "hủy" để dừng.',
        "en": 'Not found. Type a number or an id from the list, or "cancel" to stop.',
    },
    "unlink_unknown_asset": {
        "vi": "Không tìm thấy {kind} {id} đang liên kết.",
        "en": "No linked {kind} {id} was found.",
    },
    "unlink_confirm": {
        "vi": "Bot sẽ ngừng dùng {kind} {name} ({id}):\n"
        "- xóa token bot đã lưu của nó\n"
        "- bỏ qua mọi sự kiện webhook của nó\n"
        "- giữ lại lịch sử (đánh dấu đã hủy liên kết)\n"
        "Bước này chưa hủy liên kết trong Zalo Cloud Account, vì Zalo không có API cho việc đó. "
        "Xong bước này, mình sẽ gửi các bước hủy trên trang quản lý Zalo Cloud Account.\n"
        "Gõ XÁC NHẬN (hoặc bấm Xác nhận) để tiếp tục. Gõ bất kỳ nội dung nào khác để hủy.",
        "en": "The bot will stop using {kind} {name} ({id}):\n"
        "- the tokens the bot stored for it are deleted\n"
        "- its webhook events are ignored\n"
        "- its history is kept (marked unlinked)\n"
        "This does not unlink it from the Zalo Cloud Account: Zalo has no API for that. "
        "Afterwards I will send you the steps to do it in the console.\n"
        "Type CONFIRM (or tap Confirm) to go ahead. Anything else cancels.",
    },
    "unlink_app_oas": {
        "vi": "Lưu ý: App ID này đang phục vụ {n} OA: {oas}. Khi bot ngừng dùng App, bot cũng "
        "ngừng trả lời tin nhắn của các OA này.",
        "en": "Note: this App ID serves these OAs ({n}): {oas}. Once the bot stops using the "
        "App, it stops answering their messages too.",
    },
    "unlink_confirm_again": {
        "vi": "CẢNH BÁO: bạn đang nhắn tin với bot qua chính {kind} này. Khi bot ngừng dùng "
        "nó, bot sẽ không trả lời bạn ở đây được nữa. Nếu vẫn muốn tiếp tục, gõ XÁC NHẬN "
        "một lần nữa.",
        "en": "WARNING: you are talking to the bot through this very {kind}. Once the bot "
        "stops using it, it can no longer answer you here. To go ahead anyway, type CONFIRM "
        "once more.",
    },
    "unlink_cancelled": {
        "vi": "Đã hủy, không có gì thay đổi. Gõ /unlink để bắt đầu lại.",
        "en": "Cancelled, nothing was changed. Type /unlink to start again.",
    },
    "unlink_running": {
        "vi": "Đang cho bot ngừng dùng {kind} {id}...",
        "en": "Making the bot stop using {kind} {id}...",
    },
    "unlink_done": {
        "vi": "Bot đã ngừng dùng {kind} {id}: token đã xóa, sự kiện của nó sẽ bị bỏ qua, "
        "lịch sử được giữ lại.\n"
        "Để hủy liên kết hẳn trong Zalo Cloud Account:\n"
        "1. Mở {console} và đăng nhập.\n"
        "2. Vào Cài đặt → Quản lý tài sản.\n"
        "3. Mở thẻ {tab}, tìm {kind} {id}.\n"
        "4. Bấm Hủy liên kết, rồi xác nhận.\n"
        'Hủy xong, bấm "Đã hủy trên Zalo" bên dưới hoặc gõ /unlink done {id}.',
        "en": "The bot no longer uses {kind} {id}: tokens deleted, its events ignored, "
        "history kept.\n"
        "To unlink it for good in the Zalo Cloud Account:\n"
        "1. Open {console} and sign in.\n"
        "2. Go to Settings → Asset management.\n"
        "3. Open the {tab} tab and find {kind} {id}.\n"
        "4. Click Unlink, then confirm.\n"
        'When done, tap "Unlinked in Zalo" below or type /unlink done {id}.',
    },
    "unlink_done_this_chat": {
        "vi": "Bot đã ngừng dùng {kind} {id}: token đã xóa, sự kiện của nó sẽ bị bỏ qua, "
        "lịch sử được giữ lại. Đây là {kind} của chính cuộc trò chuyện này, nên từ giờ bot "
        "không nhận được tin nhắn ở đây nữa.\n"
        "Để hủy liên kết hẳn trong Zalo Cloud Account:\n"
        "1. Mở {console} và đăng nhập.\n"
        "2. Vào Cài đặt → Quản lý tài sản.\n"
        "3. Mở thẻ {tab}, tìm {kind} {id}.\n"
        "4. Bấm Hủy liên kết, rồi xác nhận.\n"
        "Làm xong, ghi nhận trên máy chủ bằng lệnh: flask assets console-done {kind_arg} {id} "
        "(hoặc gõ /unlink done {id} ở một cuộc trò chuyện bot còn trả lời).",
        "en": "The bot no longer uses {kind} {id}: tokens deleted, its events ignored, "
        "history kept. It is the {kind} of this very chat, so from now on the bot does not "
        "hear this chat.\n"
        "To unlink it for good in the Zalo Cloud Account:\n"
        "1. Open {console} and sign in.\n"
        "2. Go to Settings → Asset management.\n"
        "3. Open the {tab} tab and find {kind} {id}.\n"
        "4. Click Unlink, then confirm.\n"
        "When done, record it on the server: flask assets console-done {kind_arg} {id} "
        "(or type /unlink done {id} in a chat the bot still answers).",
    },
    "console_tab_app": {"vi": '"Liên kết ứng dụng"', "en": '"Linked apps"'},
    "console_tab_oa": {"vi": '"Liên kết OA"', "en": '"Linked OAs"'},
    "unlink_already": {
        "vi": "Bot đã ngừng dùng {kind} {id} từ trước.",
        "en": "The bot had already stopped using {kind} {id}.",
    },
    "console_recorded": {
        "vi": "Đã ghi nhận: {kind} {id} đã được hủy liên kết trong Zalo Cloud Account.",
        "en": "Noted: {kind} {id} is unlinked in the Zalo Cloud Account.",
    },
    "console_still_linked": {
        "vi": "Bot đang dùng {kind} {id} (liên kết từ {since}), nên chưa có gì để ghi nhận "
        "trên console. Nếu muốn hủy liên kết nó, gõ {command} hoặc bấm nút bên dưới.",
        "en": "The bot uses {kind} {id} (linked since {since}), so there is nothing to record "
        "for the console. To unlink it, type {command} or tap the button below.",
    },
    "btn_unlink_it": {"vi": "Ngừng dùng {kind}", "en": "Unlink this {kind}"},
    "console_already": {
        "vi": "{kind} {id} đã được ghi nhận là đã hủy trên Zalo từ trước (lúc {at}).",
        "en": "{kind} {id} was already recorded as unlinked in the console (at {at}).",
    },
    "console_usage": {
        "vi": "Cách dùng: /unlink done <id>",
        "en": "Usage: /unlink done <id>",
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
    "unlink_guide_admin": {
        "vi": "Bạn là quản trị viên của bot: gõ /unlink để bot ngừng dùng OA hoặc App ID đó "
        "trước, mình sẽ hướng dẫn tiếp từng bước.",
        "en": "You are an admin of this bot: type /unlink to make the bot stop using that OA "
        "or App ID first, and I will walk you through the rest.",
    },
}
