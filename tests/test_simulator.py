"""The simulator page and its API: sandbox only, real webhook, real workers."""

from __future__ import annotations

import re
from typing import Any

import redis
from flask import Flask
from flask.testing import FlaskClient

from bot.admin.seeding import SANDBOX_SECOND_APP_ID
from bot.keys import UserRef
from bot.services import services_of
from bot.web.simulator.playground import USERS_KEY
from tests.helpers import APP_ID, OA_ID, run_jobs
from tests.leakcheck import remember
from tests.production import production_bot

PHONE = "+84912345678"


class PageUser:
    """Someone using the simulator page: the same calls its JavaScript makes."""

    def __init__(self, app: Flask, user: str = "u1") -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.user = user
        self.seen = 0

    def post(self, path: str, **payload: Any) -> Any:
        """POST JSON to the simulator API; the answer must be a success."""
        answer = self.client.post(f"/simulator/api/{path}", json=payload)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.json

    def new_lines(self) -> list[dict[str, Any]]:
        """Run the worker, then read the chat log from where the page left off."""
        run_jobs(self.app)
        answer = self.client.get(f"/simulator/api/chat?user={self.user}&after={self.seen}")
        assert answer.status_code == 200 and answer.json is not None
        self.seen = answer.json["next"]
        lines: list[dict[str, Any]] = answer.json["lines"]
        return lines

    def say(self, text: str) -> str:
        """Type text in the page; the bot's new replies, joined."""
        self.post("say", user=self.user, text=text)
        lines = self.new_lines()
        assert lines[0] == {**lines[0], "from": "user", "payload": {"text": text}}
        return "\n".join(line["payload"].get("text", line["kind"]) for line in lines[1:])

    def phone_panel(self) -> dict[str, list[str]]:
        """What the phone panel shows: number → message texts."""
        answer = self.client.get("/simulator/api/phones")
        assert answer.json is not None
        return {p["phone"]: [m["text"] for m in p["messages"]] for p in answer.json["phones"]}

    def code_on_phone(self, phone: str) -> str:
        """The newest code the phone panel shows for phone."""
        codes = re.findall(r"\d{6}", " ".join(self.phone_panel()[phone]))
        remember(*codes)
        return codes[-1]


def test_page_and_assets_are_served_in_sandbox(client: FlaskClient) -> None:
    page = client.get("/simulator")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="viewport"' in html and "simulator.js" in html and "phone-panel" in html
    assert client.get("/simulator/static/simulator.js").status_code == 200
    assert client.get("/simulator/static/simulator.css").status_code == 200


def test_no_simulator_outside_sandbox(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, _zalo, _sms):
        client = app.test_client()
        assert client.get("/simulator").status_code == 404
        said = client.post("/simulator/api/say", json={"user": "u1", "text": "hi"})
        assert said.status_code == 404


def test_a_new_user_follows_and_is_welcomed(app: Flask, rdb: redis.Redis) -> None:
    tester = PageUser(app, "alice")
    assert tester.post("users", user="alice")["webhook_status"] == 200
    welcome = tester.new_lines()
    assert {line["from"] for line in welcome} == {"bot"}
    assert "Chào mừng" in welcome[0]["payload"]["text"]
    assert "xác thực" in welcome[-1]["payload"]["text"]
    users = tester.client.get("/simulator/api/users").json
    assert users == {"users": [{"id": "alice", "admin": False}]}
    assert rdb.sismember(USERS_KEY, "alice")


def test_verify_a_phone_by_sms_through_the_page(app: Flask) -> None:
    tester = PageUser(app)
    tester.post("users", user="u1")
    tester.new_lines()
    assert "số điện thoại" in tester.say("xác thực")
    assert "1. SMS" in tester.say("0912 345 678")
    assert "Đã gửi mã" in tester.say("1")
    code = tester.code_on_phone(PHONE)
    assert "Xác thực thành công" in tester.say(code)
    assert "SMS: đã xác thực" in tester.say("trạng thái")


def test_zalo_codes_show_on_the_phone_panel_too(app: Flask) -> None:
    tester = PageUser(app)
    tester.say("xác thực zalo")
    tester.say("0912345678")
    assert any(text.startswith("[ZNS OTP]") for text in tester.phone_panel()[PHONE])
    assert "qua Zalo" in tester.say(tester.code_on_phone(PHONE))


def test_sharing_the_phone_answers_the_request_card(app: Flask) -> None:
    tester = PageUser(app)
    tester.post("say", user="u1", text="xác thực")
    kinds = [line["kind"] for line in tester.new_lines()]
    assert kinds[-1] == "request_user_info"  # the page draws the card with a share button
    tester.post("share", user="u1", phone="0912345678")
    lines = tester.new_lines()
    assert lines[0]["from"] == "user" and lines[0]["kind"] == "info"
    assert "1. SMS" in lines[-1]["payload"]["text"]


def test_admin_toggle_opens_and_closes_the_admin_commands(app: Flask) -> None:
    tester = PageUser(app)
    assert tester.post("admin", user="u1", admin=True) == {"admin": True}
    assert tester.client.get("/simulator/api/chat?user=u1").json["admin"] is True
    assert "1000000000000000001" in tester.say("/assets")  # the registry, listed
    assert tester.post("admin", user="u1", admin=False) == {"admin": False}
    refused = tester.say("/assets")
    assert "1000000000000000001" not in refused and "không dùng được lệnh này" in refused


def test_reset_forgets_the_user_and_lifts_locks_and_limits(app: Flask, rdb: redis.Redis) -> None:
    tester = PageUser(app)
    tester.say("xác thực")
    tester.say("0912345678")
    tester.say("1")
    code = tester.code_on_phone(PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        tester.say(wrong)
    assert "tạm thời chưa xác thực được" in tester.say("xác thực")
    tester.post("reset", user="u1")
    fresh = tester.client.get("/simulator/api/chat?user=u1").json
    assert fresh["lines"] == []  # the page starts an empty chat...
    run_jobs(app)
    lines = tester.client.get("/simulator/api/chat?user=u1").json["lines"]
    assert lines and {line["from"] for line in lines} == {"bot"}  # ...with a fresh welcome
    assert "Chào mừng" in lines[0]["payload"]["text"]
    assert PHONE not in tester.phone_panel()
    tester.seen = len(lines)
    tester.say("xác thực")
    assert "Đã gửi mã" in (tester.say("0912345678") + tester.say("1"))
    assert not rdb.exists(UserRef(OA_ID, "u1").key("otp-lock"))


def test_bad_input_gets_a_clear_error(client: FlaskClient) -> None:
    cases = [
        ("say", {"user": "", "text": "hi"}, "user id"),
        ("say", {"user": "a b", "text": "hi"}, "user id"),
        ("say", {"user": "u1", "text": "   "}, "characters"),
        ("say", {"user": "u1", "text": "x" * 2001}, "characters"),
        ("say", {"user": ["u1"], "text": "hi"}, "must be text"),
        ("share", {"user": "u1", "phone": ""}, "phone"),
        ("users", {"user": "x" * 41}, "user id"),
    ]
    for path, payload, message in cases:
        answer = client.post(f"/simulator/api/{path}", json=payload)
        assert answer.status_code == 400 and message in answer.json["error"], (path, payload)
    nested = client.post("/simulator/api/say", data=b"[" * 5000, content_type="application/json")
    assert nested.status_code == 400 and "JSON object" in nested.json["error"]
    form = client.post("/simulator/api/say", data={"user": "u1", "text": "hi"})
    assert form.status_code == 400 and "JSON" in form.json["error"]
    assert client.get("/simulator/api/chat?user=../x").status_code == 400


def test_a_bad_offset_reads_from_the_start(app: Flask) -> None:
    tester = PageUser(app)
    tester.say("menu")
    answer = tester.client.get("/simulator/api/chat?user=u1&after=-3")
    assert answer.status_code == 200 and answer.json["lines"][0]["from"] == "user"


def test_the_pinned_code_is_the_selected_users(app: Flask) -> None:
    alice, bob = PageUser(app, "alice"), PageUser(app, "bob")
    alice.say("xác thực"), alice.say("0912 345 678"), alice.say("1")
    bob.say("xác thực"), bob.say("0987 654 321"), bob.say("1")  # the newest code is bob's
    pinned = alice.client.get("/simulator/api/phones?user=alice").json["pinned"]
    assert pinned["phone"] == PHONE and pinned["channel"] == "sms"
    assert alice.code_on_phone(PHONE) in pinned["text"]
    bobs = bob.client.get("/simulator/api/phones?user=bob").json["pinned"]
    assert bobs["phone"] == "+84987654321"
    assert alice.client.get("/simulator/api/phones?user=carol").json["pinned"] is None


def tap(tester: PageUser, title: str, payload: str) -> str:
    """Tap a button in the page; the bot's new replies, joined."""
    tester.post("tap", user=tester.user, title=title, payload=payload)
    lines = tester.new_lines()[1:]
    return "\n".join(line["payload"].get("text", line["kind"]) for line in lines)


def test_the_tour_unlinks_the_demo_app_and_records_the_console_step(app: Flask) -> None:
    admin = PageUser(app, "u1")
    admin.post("admin", user="u1", admin=True)
    assert f"Demo mini app ({SANDBOX_SECOND_APP_ID})" in admin.say("/assets")
    admin.say("/unlink")
    assert f"2. Demo mini app ({SANDBOX_SECOND_APP_ID})" in tap(admin, "App ID", "#app")
    assert "Bot sẽ ngừng dùng" in tap(admin, "2 · Demo mini app", f"#{SANDBOX_SECOND_APP_ID}")
    report = tap(admin, "Xác nhận", "#confirm")  # one confirmation: not this chat's app
    assert f"Bot đã ngừng dùng App ID {SANDBOX_SECOND_APP_ID}" in report
    done = f"#/unlink done app {SANDBOX_SECOND_APP_ID}"
    assert "Đã ghi nhận" in tap(admin, "Đã hủy trên Zalo", done)
    assert "vẫn" not in admin.say("trạng thái")  # the bot still answers this chat


def test_after_a_relink_console_done_says_the_bot_uses_it_again(app: Flask) -> None:
    admin = PageUser(app, "u1")
    admin.post("admin", user="u1", admin=True)
    admin.say(f"/unlink app {APP_ID}"), admin.say("xác nhận")
    report = admin.say("xác nhận")  # twice: this chat's own app
    assert f"flask assets console-done app {APP_ID}" in report
    assert admin.post("relink", kind="app", id=APP_ID) == {"relinked": True}
    answer = admin.say(f"/unlink done app {APP_ID}")
    assert answer.startswith(f"Bot đang dùng App ID {APP_ID} (liên kết từ ")
    relinked = admin.say("/audit").splitlines()[-2]  # the last line is this /unlink done
    assert relinked.endswith(
        f"trang simulator (nút Liên kết lại) — App ID {APP_ID}: đã liên kết lại"
    )


def test_no_demo_app_when_real_extra_apps_are_configured(config: dict[str, Any]) -> None:
    from bot import create_app

    app = create_app(
        {**config, "ZALO_EXTRA_APPS": "3000000000000000003:secret:4000000000000000004"}
    )
    ids = [asset.asset_id for asset in services_of(app).assets.all("app")]
    assert SANDBOX_SECOND_APP_ID not in ids and len(ids) == 2
