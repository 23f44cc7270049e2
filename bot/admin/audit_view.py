"""The audit told in words, for `/audit` and `flask audit list`: no payloads, no state names.

Entries keep what was sent (a button's payload, the typed text); this module says it as what it
was, in the reader's language: "u3 bấm nút “Xác nhận”", "u3 gõ “/unlink”", "worker (lệnh của
u3)", "CLI (root) “flask assets link app 1”".
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.admin.audit import Recorded
from bot.texts import has_text, render

# Button payloads the admin dialogues send, by the catalogue key of the button's title.
BUTTONS = {
    "#app": "btn_app",
    "#oa": "btn_oa",
    "#confirm": "btn_confirm",
    "#cancel": "btn_cancel",
    "#more": "btn_more",
    "#/assets": "btn_assets",
}
BUTTON_PREFIXES = (("#/unlink done", "btn_console_done"), ("#/audit", "btn_audit_older"))
# Who acted other than a chat user: the unlink job, the operator's CLI, the simulator page.
NOT_IN_CHAT = ("worker", "cli", "sandbox", "oauth", "web")
# Results that carry a count: the stored words, the text that says them.
COUNTED = (
    (re.compile(r"(\d+) linked"), "audit_result_n_linked"),
    (re.compile(r"erased (\d+) records"), "audit_result_n_erased"),
)
# Non-text events are stored by their Zalo event name ('user_send_image').
EVENT_NAME = re.compile(r"user_[a-z_]+|oa_[a-z_]+|follow|unfollow")


def describe(entry: Recorded, lang: str, zone: str, time_format: str = "%d/%m %H:%M") -> str:
    """One entry as a line: when, who did what (how), to what, with what result."""
    at = datetime.fromtimestamp(entry.at, ZoneInfo(zone)).strftime(time_format)
    step = step_words(entry.step, lang)
    target = target_words(entry.target, lang)
    return render(
        "audit_line",
        lang,
        at=at,
        actor=actor(entry, lang),
        step=render("audit_step", lang, step=step) if step else "",
        target=render("audit_target", lang, target=target) if target else "",
        result=result_words(entry, lang),
    )


def actor(entry: Recorded, lang: str) -> str:
    """'u3 gõ “/unlink”', 'u3 bấm nút “Xác nhận”', 'worker (lệnh của u3)', 'CLI (root) “…”'."""
    if entry.step in NOT_IN_CHAT:
        return render(f"audit_by_{entry.step}", lang, who=entry.who, command=entry.command)
    if entry.command.startswith("#"):
        return render("audit_by_tap", lang, who=entry.who, button=button_title(entry, lang))
    if EVENT_NAME.fullmatch(entry.command):
        return f"{entry.who} " + render("audit_event", lang, what=entry.command)
    return render("audit_by_typing", lang, who=entry.who, command=entry.command)


def button_title(entry: Recorded, lang: str) -> str:
    """The title the tapped button bore ('Xác nhận'); a picked asset by kind and id."""
    payload = entry.command.strip()
    key = BUTTONS.get(payload) or next(
        (key for prefix, key in BUTTON_PREFIXES if payload.startswith(prefix)), None
    )
    if key is not None:
        return render(key, lang)
    picked = payload[1:]
    if picked.isdigit():
        return target_words(entry.target, lang) or picked
    return render("audit_a_button", lang)


def step_words(step: str, lang: str) -> str:
    """The dialogue step in words; nothing for a command's first step or an unknown state."""
    key = f"audit_step_{step}"
    return render(key, lang) if has_text(key) else ""


def target_words(target: str, lang: str) -> str:
    """'app:123' as 'App ID 123'; a user id or a masked phone as stored."""
    kind, _, asset_id = target.partition(":")
    if kind in ("app", "oa") and asset_id:
        return f"{render(f'kind_{kind}', lang)} {asset_id}"
    # 'nothing found': what `flask data` stored for an ID that named no account (older releases)
    return "" if target in ("", "None:None", "nothing found") else target


def result_words(entry: Recorded, lang: str) -> str:
    """The result as the admin was told it ('bot đã ngừng dùng', 'không tìm thấy')."""
    for key in (f"audit_result_{entry.step}_{entry.result}", f"audit_result_{entry.result}"):
        if has_text(key):
            return render(key, lang)
    for pattern, key in COUNTED:
        counted = pattern.fullmatch(entry.result)
        if counted:
            return render(key, lang, n=counted.group(1))
    return entry.result
