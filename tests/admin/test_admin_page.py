"""The admin page: signing in by a one-time link from chat or by password, CSRF, sessions,
dead letters replayed from the page, the funnel's JSON."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from bot import create_app
from bot.admin.audit import AuditLog
from bot.admin.seeding import SANDBOX_SECOND_OA_ID, SANDBOX_SECOND_OA_NAME
from bot.admin.web_login import LINK_TTL_SECONDS
from bot.config import ConfigError, load_settings
from bot.keys import UserRef
from bot.services import services_of
from bot.web.admin.auth import LOGIN_COOKIE
from bot.worker.dead_letters import DeadLetters
from bot.zalo.token_status import TokenStatus
from bot.zalo.token_store import RedisTokenStorage
from tests.adminkit import ADMIN, EXTRA_APP, OTHER_OA, admin_app
from tests.helpers import APP_ID, OA_ID, Dialogue, bot_messages, encode_event, run_jobs, text_event
from tests.leakcheck import remember
from tests.test_verify_flow import verify_by_sms
from zalo_api.oauth import TokenPair

PASSWORD = "correct horse battery staple"
LINK = re.compile(r"/admin/login#token=([A-Za-z0-9_-]+)")


@pytest.fixture
def app(config: dict[str, Any]) -> Flask:
    """The sandbox bot with admins and an admin password."""
    return admin_app({**config, "ADMIN_PASSWORD_HASH": generate_password_hash(PASSWORD)})


def link_token(app: Flask, user: str = ADMIN) -> str:
    """The token of the sign-in link the bot sends `user` for '/admin'."""
    answer = Dialogue(app, user).say("/admin")
    found = LINK.search(answer)
    assert found, answer
    remember(found.group(1))
    return found.group(1)


def login_form(client: FlaskClient) -> str:
    """Open the sign-in page; the form's CSRF token (also set in its cookie)."""
    page = client.get("/admin/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert found and client.get_cookie(LOGIN_COOKIE, path="/admin") is not None
    return found.group(1)


def sign_in(client: FlaskClient, **fields: str) -> Any:
    """Post the sign-in form with its CSRF token (the page's script puts a link's token in)."""
    csrf = login_form(client)
    return client.post("/admin/login", data={"csrf": csrf, **fields})


def page_csrf(client: FlaskClient) -> str:
    """The session's CSRF token, as the page's forms carry it."""
    page = client.get("/admin")
    assert page.status_code == 200, page.status_code
    found = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert found
    return found.group(1)


def test_without_a_session_the_page_sends_to_the_login(client: FlaskClient) -> None:
    answer = client.get("/admin")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/login")
    assert client.get("/admin/api/funnel").status_code == 401


def test_a_one_time_link_signs_in_once(app: Flask, rdb: redis.Redis) -> None:
    token = link_token(app)
    assert not [k for k in rdb.keys("*") if token.encode() in k]  # stored hashed
    assert not [k for k in rdb.keys("admin-page:link:*") if rdb.get(k) == token.encode()]
    client = app.test_client()
    landing = client.get("/admin/login")  # what a link preview fetches: it spends nothing
    assert landing.status_code == 200 and 'id="use-link"' in landing.get_data(as_text=True)
    assert rdb.keys("admin-page:link:*")
    answer = sign_in(client, token=token)
    assert answer.status_code == 303 and answer.headers["Location"] == "/admin"
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("bot_admin="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    assert f"signed in as <b>{ADMIN}</b>" in client.get("/admin").get_data(as_text=True)
    again = sign_in(app.test_client(), token=token)
    assert again.status_code == 401 and "already used" in again.get_data(as_text=True)


def test_an_expired_link_is_refused(app: Flask, rdb: redis.Redis) -> None:
    token = link_token(app)
    [key] = rdb.keys("admin-page:link:*")
    assert LINK_TTL_SECONDS - 5 < rdb.ttl(key) <= LINK_TTL_SECONDS
    rdb.pexpire(key, 1)  # ten minutes pass
    while rdb.exists(key):
        time.sleep(0.005)
    answer = sign_in(app.test_client(), token=token)
    assert answer.status_code == 401 and "expired" in answer.get_data(as_text=True)


def test_a_non_admin_gets_no_link(app: Flask, rdb: redis.Redis) -> None:
    answer = Dialogue(app, "u2").say("/admin")
    assert "admin/login" not in answer and "không dùng được" in answer
    assert rdb.keys("admin-page:link:*") == []
    assert [e.command for e in AuditLog(rdb).latest(5, refused=True)] == ["/admin"]


def test_a_session_ends_when_its_admin_is_removed(app: Flask, rdb: redis.Redis) -> None:
    services_of(app).admins.add("u7")  # as `flask admins add` does
    client = app.test_client()
    assert sign_in(client, token=link_token(app, "u7")).status_code == 303
    assert client.get("/admin").status_code == 200
    services_of(app).admins.remove("u7")
    assert client.get("/admin").status_code == 302


def test_password_signs_in_and_a_wrong_one_does_not(app: Flask) -> None:
    client = app.test_client()
    wrong = sign_in(client, password="wrong")
    assert wrong.status_code == 401 and "Wrong password" in wrong.get_data(as_text=True)
    assert client.get("/admin").status_code == 302
    assert sign_in(client, password=PASSWORD).status_code == 303
    assert "admin page (password)" in client.get("/admin").get_data(as_text=True)


def test_posts_without_the_csrf_token_are_refused(app: Flask) -> None:
    client = app.test_client()
    refused = client.post("/admin/login", data={"password": PASSWORD})  # no form token
    assert refused.status_code == 403 and client.get("/admin").status_code == 302
    assert sign_in(client, password=PASSWORD).status_code == 303
    csrf = page_csrf(client)
    for data in ({}, {"csrf": "forged"}, {"csrf": csrf[:-1]}):
        assert client.post("/admin/logout", data=data).status_code == 403
    assert client.post("/admin/dead", data={"id": "x", "action": "remove"}).status_code == 403
    assert client.get("/admin").status_code == 200  # still signed in
    assert client.post("/admin/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/admin").status_code == 302


def test_a_dead_letter_is_replayed_from_the_page_and_audited(app: Flask, rdb: redis.Redis) -> None:
    user = UserRef(OA_ID, "u1")
    raw = encode_event(text_event("u1", "menu"))
    letters = DeadLetters(rdb)
    with rdb.pipeline(transaction=True) as pipe:
        letters.set_aside(pipe, user, raw, RuntimeError("a bug, since fixed"))
        pipe.execute()
    [letter] = letters.latest()
    client = app.test_client()
    sign_in(client, token=link_token(app))
    page = client.get("/admin").get_data(as_text=True)
    assert letter.short_id in page and "RuntimeError" in page
    data = {"csrf": page_csrf(client), "id": letter.short_id, "action": "replay"}
    done = client.post("/admin/dead", data=data)
    assert done.status_code == 303 and "note=replayed" in done.headers["Location"]
    run_jobs(app)
    assert bot_messages(app, "u1")  # the event went through the pipeline: the bot answered
    assert letters.latest() == []
    assert client.post("/admin/dead", data=data).headers["Location"].endswith("note=gone")
    audit = [e for e in AuditLog(rdb).latest(20) if e.step == "web"]
    assert [(e.who, e.command, e.result) for e in audit] == [(ADMIN, "replay", "replayed")]


def test_a_dead_letter_is_removed_from_the_page_and_audited(app: Flask, rdb: redis.Redis) -> None:
    letters = DeadLetters(rdb)
    with rdb.pipeline(transaction=True) as pipe:
        raw = encode_event(text_event("u1", "menu"))
        letters.set_aside(pipe, UserRef(OA_ID, "u1"), raw, RuntimeError("not worth replaying"))
        pipe.execute()
    [letter] = letters.latest()
    client = app.test_client()
    sign_in(client, password=PASSWORD)
    data = {"csrf": page_csrf(client), "id": letter.short_id, "action": "remove"}
    done = client.post("/admin/dead", data=data)
    assert done.status_code == 303 and "note=removed" in done.headers["Location"]
    run_jobs(app)
    assert letters.latest() == [] and bot_messages(app, "u1") == []  # gone, never handled
    assert client.post("/admin/dead", data=data).headers["Location"].endswith("note=gone")
    audit = [e for e in AuditLog(rdb).latest(20) if e.step == "web"]
    assert [(e.who, e.command, e.result) for e in audit] == [
        ("admin page (password)", "remove", "removed")
    ]
    everything = {"csrf": data["csrf"], "id": "*", "action": "remove"}
    assert client.post("/admin/dead", data=everything).status_code == 400  # one at a time


def test_the_funnel_json_follows_a_verification(app: Flask) -> None:
    verify_by_sms(Dialogue(app, "u1"))
    client = app.test_client()
    sign_in(client, password=PASSWORD)
    data = client.get("/admin/api/funnel").get_json()
    assert sum(data["day"]["steps"]["verified"]) == 1
    assert data["week"]["steps"]["sent"][-1] == 1 and len(data["week"]["t"]) == 7
    [sms] = [row for row in data["summary_week"] if row["channel"] == "sms"]
    assert (sms["oa"], sms["sent"], sms["verified"], sms["p50"]) == (OA_ID, 1, 1, 10)
    assert sms["oa_name"] == "Sandbox OA"


def test_connect_in_the_sandbox_goes_to_the_simulators_stand_in(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, password=PASSWORD)
    answer = client.post("/admin/connect", data={"csrf": page_csrf(client)})
    assert answer.status_code == 303  # no App Secret needed: nothing leaves the machine
    location = answer.headers["Location"]
    assert location.startswith("http://localhost:")  # `make run`'s address
    assert "/simulator/zalo/v4/oa/permission?" in location


def test_connect_goes_to_zalos_permission_page(config: dict[str, Any], rdb: redis.Redis) -> None:
    app = admin_app(
        {**config, "ADMIN_PASSWORD_HASH": generate_password_hash(PASSWORD)}
        | {"ZALO_APP_SECRET": "sandbox-app-secret", "PUBLIC_BASE_URL": "https://bot.example.vn"}
    )
    client = app.test_client()
    sign_in(client, password=PASSWORD)
    answer = client.post("/admin/connect", data={"csrf": page_csrf(client)})
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert location.startswith("https://bot.example.vn/simulator/zalo/v4/oa/permission?")
    assert "state=" in location  # the sandbox plays Zalo's page: nothing leaves the machine
    assert "redirect_uri=https%3A%2F%2Fbot.example.vn%2Foauth%2Fzalo%2Fcallback" in location
    assert len(rdb.keys("oauth:state:*")) == 1


def test_without_a_session_secret_there_is_no_page_and_no_link(config: dict[str, Any]) -> None:
    app = admin_app({**config, "ADMIN_SESSION_SECRET": ""})
    assert app.test_client().get("/admin").status_code == 404
    answer = Dialogue(app, ADMIN).say("/admin")
    assert "ADMIN_SESSION_SECRET" in answer and "token" not in answer


def test_the_cookie_is_secure_behind_https(config: dict[str, Any]) -> None:
    secret = {"ADMIN_PASSWORD_HASH": generate_password_hash(PASSWORD)}
    app = admin_app({**config, **secret, "PUBLIC_BASE_URL": "https://bot.example.vn"})
    client = app.test_client()
    answer = sign_in(client, password=PASSWORD)
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("bot_admin="))
    assert "Secure" in cookie
    link = Dialogue(app, ADMIN).say("/admin")
    assert "https://bot.example.vn/admin/login#token=" in link
    remember(link.rsplit("=", 1)[1].split()[0])


def test_the_page_needs_its_secret_outside_sandbox(config: dict[str, Any]) -> None:
    production = {"ZALO_APP_ID": "1", "ZALO_APP_SECRET": "s", "ZALO_OA_ID": "2"}
    production |= {"ZALO_OA_SECRET_KEY": "k", "OTP_HASH_KEY": "h" * 24, "SMS_PROVIDER": "http"}
    production |= {"SMS_HTTP_URL": "https://sms.example.invalid", "BOT_SANDBOX": "0"}
    environ = {**production, "REDIS_URL": config["REDIS_URL"]}
    with pytest.raises(ConfigError, match="ADMIN_SESSION_SECRET is required"):
        load_settings(environ, {"ADMIN_PASSWORD_HASH": generate_password_hash(PASSWORD)})
    with pytest.raises(ConfigError, match="at least 24"):
        load_settings(environ, {"ADMIN_SESSION_SECRET": "short"})
    off = create_app({**config, **production})
    assert off.test_client().get("/admin").status_code == 404
    on = create_app({**config, **production, "ADMIN_SESSION_SECRET": "s" * 32})
    assert on.test_client().get("/admin").status_code == 302


def test_each_oa_shows_its_tokens_state(app: Flask, rdb: redis.Redis) -> None:
    client = app.test_client()
    sign_in(client, password=PASSWORD)
    row = oa_row(client)
    assert "Sandbox OA" in row and "not stored" in row
    expires = time.time() + 3600
    RedisTokenStorage(rdb, APP_ID, OA_ID).save(TokenPair("access-1", "refresh-1", expires))
    remember("access-1", "refresh-1")
    row = oa_row(client)
    assert ">stored<" in row and f'data-epoch="{expires}"' in row
    assert "access-1" not in client.get("/admin").get_data(as_text=True)
    RedisTokenStorage(rdb, APP_ID, OA_ID).save(TokenPair("access-1", "refresh-1", time.time() - 1))
    assert "access token expired" in oa_row(client)


def oa_row(client: FlaskClient, oa_id: str = OA_ID) -> str:
    """The page's row of an OA (the sandbox OA by default)."""
    page = client.get("/admin").get_data(as_text=True)
    section = page[page.index('id="oas"') : page.index('id="backlog"')]
    return next(row for row in section.split("<tr") if oa_id in row)


def test_every_served_oa_is_listed_and_an_unlinked_one_stopped(app: Flask) -> None:
    verify_by_sms(Dialogue(app, "u1"))
    client = app.test_client()
    sign_in(client, password=PASSWORD)
    extra = oa_row(client, OTHER_OA)  # an extra app's OA: served, with no asset of its own
    assert ">served<" in extra and EXTRA_APP in extra and ">ok<" in extra
    assert services_of(app).assets.unlink("oa", OA_ID, ADMIN) == "ok"
    row = oa_row(client)
    assert "Sandbox OA" in row and ">unlinked<" in row and "stopped (unlinked)" in row
    counted = client.get("/admin/api/funnel").get_json()["summary_week"]
    assert {(row["oa"], row["channel"], row["verified"]) for row in counted} >= {(OA_ID, "sms", 1)}


def test_the_sandboxs_second_oa_is_listed(config: dict[str, Any]) -> None:
    app = create_app({**config, "ADMIN_PASSWORD_HASH": generate_password_hash(PASSWORD)})
    client = app.test_client()
    sign_in(client, password=PASSWORD)
    row = oa_row(client, SANDBOX_SECOND_OA_ID)
    assert SANDBOX_SECOND_OA_NAME in row and ">served<" in row and APP_ID in row


def test_a_refused_refresh_token_asks_for_a_new_pair(app: Flask, rdb: redis.Redis) -> None:
    client = app.test_client()
    sign_in(client, password=PASSWORD)
    assert "<td>never</td>" in oa_row(client)
    RedisTokenStorage(rdb, APP_ID, OA_ID).save(TokenPair("access-2", "refresh-2", time.time()))
    remember("access-2", "refresh-2")
    TokenStatus(rdb, APP_ID, OA_ID).refreshed("ZaloAPIError -14014", refused=True)
    row = oa_row(client)
    assert "refused: a new pair is needed" in row and "ZaloAPIError -14014" in row
    assert "access-2" not in row and "refresh-2" not in row


def test_the_page_says_when_an_oa_is_held(app: Flask) -> None:
    from bot.zalo.sending import Sending

    services = services_of(app)
    oa_id = services.settings.zalo_oa_id
    client = app.test_client()
    sign_in(client, token=link_token(app))
    assert "held since" not in client.get("/admin").get_data(as_text=True)
    services.redis.hset(
        Sending(services.redis, oa_id).key,
        mapping={"state": "held", "reason": "token refused (-216)", "since": "1796530000"},
    )
    page = client.get("/admin").get_data(as_text=True)
    assert "held since" in page and "token refused (-216)" in page


def test_the_audit_reads_as_in_chat_without_state_names(app: Flask) -> None:
    Dialogue(app, "u4").say("/assets")  # a refusal
    client = app.test_client()
    sign_in(client, token=link_token(app))
    page = client.get("/admin").get_data(as_text=True)
    audit = page[page.index('id="audit"') :]
    assert "u4 gõ “/assets”" in audit and "bị từ chối" in audit
    assert ">entry<" not in audit and ">link sent<" not in audit
