"""What an unlink does (its app's events ignored, one winner of two admins) and its audit."""

from __future__ import annotations

import threading
from typing import Any

import redis
from flask import Flask
from prometheus_client import REGISTRY

from bot import create_app
from bot.services import services_of
from bot.zalo.token_store import RedisTokenStorage
from tests.adminkit import (
    ADMIN,
    ADMIN2,
    EXTRA_APP,
    EXTRA_SECRET,
    OTHER_OA,
    audit_steps,
    say_all,
)
from tests.helpers import (
    APP_ID,
    OA_ID,
    Dialogue,
    bot_messages,
    main_tokens,
    post_event,
    run_jobs,
    text_event,
)
from tests.leakcheck import remember


def test_a_signed_event_of_an_unlinked_app_is_acknowledged_and_ignored(
    app: Flask, admin: Dialogue, rdb: redis.Redis
) -> None:
    client = app.test_client()

    def from_extra_app(user: str, secret: str = EXTRA_SECRET) -> int:
        event = text_event(user, "xác thực", app_id=EXTRA_APP, oa_id=OTHER_OA)
        status = post_event(client, event, secret=secret).status_code
        run_jobs(app)
        return status

    assert from_extra_app("x1") == 200  # answered while linked
    assert bot_messages(app, "x1", oa_id=OTHER_OA) != []
    assert rdb.exists(f"conv:{{{OTHER_OA}:x1}}")
    say_all(admin, f"/unlink app {EXTRA_APP}", "confirm")
    ignored_before = ignored_unlinked()
    assert from_extra_app("x2", secret="not-the-key") == 200  # still checked first: ignored
    assert bot_messages(app, "x2", oa_id=OTHER_OA) == []
    assert from_extra_app("x2") == 200
    assert bot_messages(app, "x2", oa_id=OTHER_OA) == []
    assert not rdb.exists(f"conv:{{{OTHER_OA}:x2}}", f"lang:{{{OTHER_OA}:x2}}")
    assert ignored_unlinked() == ignored_before + 1
    assert Dialogue(app, "u1").say("menu") != ""  # the bot's own app still answers


def ignored_unlinked() -> float:
    """The metric of events dropped because their app or OA is unlinked."""
    value = REGISTRY.get_sample_value("bot_events_ignored_total", {"reason": "unlinked"})
    return value or 0.0


def test_two_admins_confirming_at_once_one_wins(app: Flask) -> None:
    first, second = Dialogue(app, ADMIN), Dialogue(app, ADMIN2)
    for d in (first, second):
        assert "XÁC NHẬN" in d.say(f"/unlink app {EXTRA_APP}")
    for d in (first, second):  # both confirmations arrive before any worker runs
        assert post_event(d.client, text_event(d.user, "xác nhận")).status_code == 200
    workers = [
        threading.Thread(target=run_jobs, args=(app,), kwargs={"threaded": True}) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    run_jobs(app)  # anything a busy worker left for later
    last = [bot_messages(app, user)[-1].partition(" token")[0] for user in (ADMIN, ADMIN2)]
    done = f"Bot đã ngừng dùng App ID {EXTRA_APP}:"
    already = f"Bot đã ngừng dùng App ID {EXTRA_APP} từ trước."
    assert sorted(last) == sorted([done, already])
    results = [row[4] for row in audit_steps(app) if row[2] == "worker"]
    assert sorted(results) == ["already", "ok"]
    asset = services_of(app).assets.get("app", EXTRA_APP)
    assert asset is not None and asset.unlinked_by == (ADMIN if last[0] == done else ADMIN2)


def test_the_audit_shows_every_step_in_order(app: Flask, admin: Dialogue) -> None:
    say_all(admin, "/unlink", "1", "2", "nope")
    say_all(admin, f"/unlink oa {OA_ID}", "confirm", "hủy")
    say_all(admin, f"/unlink app {EXTRA_APP}", "xác nhận")
    extra, oa = f"app:{EXTRA_APP}", f"oa:{OA_ID}"
    assert audit_steps(app) == [
        (ADMIN, "/unlink", "entry", "", "ok"),
        (ADMIN, "1", "admin_unlink:choose_kind", "", "ok"),
        (ADMIN, "2", "admin_unlink:choose_asset", extra, "ok"),
        (ADMIN, "nope", "admin_unlink:confirm", extra, "cancelled"),
        (ADMIN, f"/unlink oa {OA_ID}", "entry", oa, "ok"),
        (ADMIN, "confirm", "admin_unlink:confirm", oa, "warned"),
        (ADMIN, "hủy", "admin_unlink:confirm_again", oa, "cancelled"),
        (ADMIN, f"/unlink app {EXTRA_APP}", "entry", extra, "ok"),
        (ADMIN, "xác nhận", "admin_unlink:confirm", extra, "queued"),
        (ADMIN, "unlink", "worker", extra, "ok"),
    ]
    shown = admin.say("/audit")
    assert shown.index("gõ “/unlink”:") < shown.index(f"worker (lệnh của {ADMIN}) — App ID")
    assert f"gõ “nope” (bước xác nhận) — App ID {EXTRA_APP}: đã hủy, không thay đổi gì" in shown
    assert f"worker (lệnh của {ADMIN}) — App ID {EXTRA_APP}: bot đã ngừng dùng" in shown


def test_a_job_that_finds_the_asset_already_unlinked_still_drops_its_tokens(
    app: Flask, admin: Dialogue, rdb: redis.Redis
) -> None:
    say_all(admin, f"/unlink app {EXTRA_APP}")
    services_of(app).assets.unlink("app", EXTRA_APP, by=ADMIN2)  # as if a crash came next
    RedisTokenStorage(rdb, EXTRA_APP, OA_ID).seed("access-x", "refresh-x")
    assert f"Bot đã ngừng dùng App ID {EXTRA_APP} từ trước." in admin.say("confirm")
    assert RedisTokenStorage(rdb, EXTRA_APP, OA_ID).load() is None


def test_a_restart_does_not_bring_back_the_tokens_of_an_unlinked_app(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    remember("seed-access-token", "seed-refresh-token")
    configured = {
        **config,
        "ZALO_ACCESS_TOKEN": "seed-access-token",
        "ZALO_REFRESH_TOKEN": "seed-refresh-token",
    }
    first = create_app(configured)
    assert main_tokens(first)  # built on first use: seeds the configured pair
    storage = RedisTokenStorage(rdb, APP_ID, OA_ID)
    assert storage.load() is not None
    unlinked = first.test_cli_runner().invoke(args=["assets", "unlink", "app", APP_ID, "--yes"])
    assert unlinked.exit_code == 0 and storage.load() is None
    restarted = create_app(configured)
    assert main_tokens(restarted)
    assert storage.load() is None
