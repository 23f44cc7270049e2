"""Data-subject requests: `flask data export|erase ID` by user id, phone or portal account."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import redis
from flask import Flask

from bot.admin.audit import AuditLog
from bot.services import services_of
from tests.helpers import OA_ID, Dialogue, last_code, main_tokens, run_jobs, stored_keys
from tests.portalkit import ACCOUNT, KEY, check, start
from tests.production import Chat, production_bot

U1_PHONE, U2_PHONE = "+84912345678", "+84987654321"


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """u1 is an admin (so the audit names them); the portal API is on."""
    return {**config, "ADMIN_ZALO_IDS": "u1", "PORTAL_API_KEY": KEY}


def verified(app: Flask, user: str, phone: str) -> Dialogue:
    """A chat user who verified phone by SMS."""
    chat = Dialogue(app, user)
    chat.say("xác thực")
    chat.say(phone)
    chat.say("1")
    assert "thành công" in chat.say(last_code(app, phone))
    return chat


def cli(app: Flask, *args: str, given: str = "") -> Any:
    """A flask command through Flask's CliRunner."""
    return app.test_cli_runner().invoke(args=list(args), input=given)


def exported(app: Flask, *args: str) -> dict[str, Any]:
    """`flask data export ...` as JSON."""
    result = cli(app, "data", "export", *args)
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.output)
    return found


def tagged(rdb: redis.Redis, *needles: str) -> set[bytes]:
    """Every key naming one of needles."""
    return {key for key in stored_keys(rdb) if any(n.encode() in key for n in needles)}


def test_export_shows_everything_and_erase_leaves_nothing_of_that_account(
    app: Flask, rdb: redis.Redis
) -> None:
    u1 = verified(app, "u1", U1_PHONE)
    u1.say("/lang en")
    u1.say("/assets")  # audited under u1's id
    u1.say("verify")  # a dialogue in progress
    verified(app, "u2", U2_PHONE)
    u2_before = {key: rdb.dump(key) for key in tagged(rdb, f"{OA_ID}:u2}}", U2_PHONE)}

    by_id = exported(app, "u1")["accounts"]["user"]
    assert by_id["verification"]["phone"] == U1_PHONE
    assert by_id["verification"]["sms_verified_at"] is not None
    assert by_id["records"][f"lang:{{{OA_ID}:u1}}"]["value"] == "en"
    assert by_id["records"][f"conv:{{{OA_ID}:u1}}"]["expires_in_seconds"] > 0
    assert any(e["who"] == "u1" and e["command"] == "/assets" for e in by_id["audit"])
    assert by_id["admin"] == ["ADMIN_ZALO_IDS"]
    assert U1_PHONE in by_id["phones"]
    assert U2_PHONE not in json.dumps(by_id)
    by_phone = exported(app, "0912 345 678")["accounts"]["phone"]
    assert by_phone["user_id"] == "u1" and set(by_phone["records"]) == set(by_id["records"])

    erased = cli(app, "data", "erase", "84912345678", "--yes")
    assert erased.exit_code == 0 and "erased" in erased.output
    # Only the dedupe digests stay (2 days), as after user_withdraw: no replay brings u1 back.
    assert tagged(rdb, f"{OA_ID}:u1}}", U1_PHONE) == {f"seen:{{{OA_ID}:u1}}".encode()}
    assert b"912345678" not in b"".join(rdb.zrange(f"seen:{{{OA_ID}:u1}}", 0, -1))
    accounts = services_of(app).verifier.accounts
    assert accounts.get(OA_ID, "u1") is None and accounts.owner_of(OA_ID, U1_PHONE) is None
    after = exported(app, "u1")["accounts"]["user"]  # what stays: the audit, and digests
    assert after["verification"] is None and after["phones"] == {} and after["dead_letters"] == []
    assert list(after["records"]) == [f"seen:{{{OA_ID}:u1}}"] and after["audit"] == by_id["audit"]
    # Others' data stays, byte for byte.
    assert {key: rdb.dump(key) for key in u2_before} == u2_before
    assert accounts.owner_of(OA_ID, U2_PHONE) == "u2"

    audit = [e for e in AuditLog(rdb).latest(20) if e.command.startswith("flask data")]
    assert [(e.command, e.result.split()[0]) for e in audit] == [
        ("flask data export", "ok"),
        ("flask data export", "ok"),
        ("flask data erase", "erased"),
        ("flask data export", "ok"),
    ]
    for entry in audit:  # the audit names the account masked, never in clear
        assert "912345678" not in entry.target and "u1" not in entry.target.split(":")


def test_a_portal_account_is_exported_and_erased_with_its_link(
    app: Flask, rdb: redis.Redis
) -> None:
    start(app, U1_PHONE)
    run_jobs(app)
    assert check(app, last_code(app, U1_PHONE))["status"] == "approved"
    verified(app, "u2", U2_PHONE)

    found = exported(app, ACCOUNT)["accounts"]["portal"]
    assert found["account_id"] == ACCOUNT and found["verification"]["phone"] == U1_PHONE

    refused = cli(app, "data", "erase", ACCOUNT, given="n\n")
    assert (
        refused.exit_code == 1
        and services_of(app).verifier.accounts.owner_of(OA_ID, U1_PHONE) == f"portal:{ACCOUNT}"
    )
    assert cli(app, "data", "erase", ACCOUNT, given="y\n").exit_code == 0
    assert tagged(rdb, f"portal:{ACCOUNT}", U1_PHONE, f":{ACCOUNT}") == set()
    assert services_of(app).verifier.accounts.owner_of(OA_ID, U2_PHONE) == "u2"


def test_an_id_that_names_two_accounts_needs_a_kind(app: Flask) -> None:
    verified(app, "0912345678", U2_PHONE)  # a Zalo user id that reads as a phone number
    verified(app, "u1", U1_PHONE)
    ambiguous = cli(app, "data", "export", "0912345678")
    assert ambiguous.exit_code == 1 and "--kind" in ambiguous.output
    by_user = exported(app, "0912345678", "--kind", "user")["accounts"]
    assert by_user["user"]["verification"]["phone"] == U2_PHONE
    by_phone = exported(app, "0912345678", "--kind", "phone")["accounts"]
    assert by_phone["phone"]["user_id"] == "u1"


def test_the_export_holds_no_code_material(app: Flask) -> None:
    chat = Dialogue(app, "u3")
    chat.say("xác thực")
    chat.say(U1_PHONE)
    chat.say("1")  # a live code, never typed
    code = last_code(app, U1_PHONE)
    result = cli(app, "data", "export", "u3")
    live = json.loads(result.output)["accounts"]["user"]["records"][f"otp:{{{OA_ID}:u3}}"]
    assert live["value"] == {"c": "sms", "p": U1_PHONE} and 0 < live["expires_in_seconds"] <= 300
    assert re.search(rf"(?<!\d){code}(?!\d)", result.output) is None


def test_a_number_nobody_verified_is_found_by_its_records_only(app: Flask) -> None:
    assert exported(app, "0912345678")["accounts"] == {}  # nothing held: nothing found
    chat = Dialogue(app, "u4")
    chat.say("xác thực")
    chat.say("0912345678")
    chat.say("1")  # the number now has send counts, and no owner
    found = exported(app, "0912345678")["accounts"]["phone"]
    assert found["kind"] == "number" and "user_id" not in found
    assert any("otp/phone_hour" in key for key in found["phones"][U1_PHONE])  # its budget


def every_value(rdb: redis.Redis, key: bytes) -> bytes:
    """A key's whole content as bytes, whatever its type (for a search in it)."""
    kind = rdb.type(key)
    if kind == b"string":
        return rdb.get(key) or b""
    if kind == b"hash":
        return b" ".join(k + b"=" + v for k, v in rdb.hgetall(key).items())
    if kind == b"list":
        return b" ".join(rdb.lrange(key, 0, -1))
    if kind == b"set":
        return b" ".join(rdb.smembers(key))
    if kind == b"zset":
        return b" ".join(rdb.zrange(key, 0, -1))
    if kind == b"stream":
        return b" ".join(b" ".join(f.values()) for _, f in rdb.xrange(key))
    return b""


def naming(rdb: redis.Redis, *needles: str) -> set[bytes]:
    """Every key whose name or content names one of needles."""
    return {
        key
        for key in stored_keys(rdb)
        if any(n.encode() in key + b" " + every_value(rdb, key) for n in needles)
    }


def test_an_account_of_a_second_oa_is_exported_and_erased_in_that_oa_only(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    from tests.test_many_oas import PUBLIC, SECOND_NAME, SECOND_OA, connect, second_chat

    with production_bot(config, PUBLIC_BASE_URL=PUBLIC) as (app, zalo, sms):
        main_tokens(app).access_token()
        connect(app, zalo, SECOND_OA, SECOND_NAME)
        first = Chat(app, zalo, "7000000000000000001")
        second = second_chat(app, zalo, "7000000000000000009")
        for chat in (first, second):  # one number, verified once in each OA
            chat.say("xác thực")
            chat.say("0912 345 678")
            chat.say("1")
            code = sms.last_code_to(U1_PHONE)
            assert code is not None and "thành công" in chat.say(code)
        link = app.test_client().post(
            "/api/v1/links", json={"account_id": ACCOUNT, "oa_id": SECOND_OA},
            headers={"Authorization": f"Bearer {KEY}"},
        )  # fmt: skip
        assert link.status_code == 201, link.get_data(as_text=True)
        second.say(link.json["code"])
        second.say("/lang en")
        second.say("verify")  # a dialogue in progress
        assert cli(app, "admins", "add", second.user, "--oa", SECOND_OA).exit_code == 0
        before = {key: rdb.dump(key) for key in naming(rdb, first.user)}

        held = exported(app, second.user, "--oa", SECOND_OA)["accounts"]["user"]
        assert held["oa_id"] == SECOND_OA and held["verification"]["phone"] == U1_PHONE
        assert held["linked"] == {"portal_account_id": ACCOUNT}
        assert held["admin"] == ["added (flask admins add or the simulator's admin toggle)"]
        assert held["records"][f"lang:{{{SECOND_OA}:{second.user}}}"]["value"] == "en"
        assert first.user not in json.dumps(held)
        assert exported(app, second.user)["accounts"] == {}  # the main OA holds nothing of them
        by_phone = exported(app, "0912345678", "--oa", SECOND_OA)["accounts"]["phone"]
        assert by_phone["user_id"] == second.user

        erased = cli(app, "data", "erase", second.user, "--oa", SECOND_OA, "--yes")
        assert erased.exit_code == 0, erased.output
        assert f"still an admin of OA {SECOND_OA}" in erased.output
        # What stays: the audit, the dedupe digests (2 days) and, until an operator removes
        # it, the admin role; nothing of the other OA's account changed.
        tag = f"{{{SECOND_OA}:{second.user}}}"
        assert naming(rdb, second.user) == {
            b"audit:admin",
            f"seen:{tag}".encode(),
            f"admins:{SECOND_OA}".encode(),
        }
        links = services_of(app).verifier.links
        assert links.zalo_user_of(SECOND_OA, ACCOUNT) is None  # the portal account stays
        assert {key: rdb.dump(key) for key in naming(rdb, first.user)} == before
        accounts = services_of(app).verifier.accounts
        assert accounts.owner_of(SECOND_OA, U1_PHONE) is None
        assert accounts.owner_of(zalo.oa_id, U1_PHONE) == first.user
