"""A Zalo user's own copy of their portal link (linked:{oa:user}), read by the events claim.

The link maps stay the bucketed hashes; each user -> account link is repeated in a key of
the user's own so that a chat turn knows whose verification it is from the claim. These
tests hold the copy to the maps: written, moved and deleted with them, copied once from
data of a version without it, and never trusted before that copy is known done.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis
from flask import Flask

from bot import create_app
from bot.conversation.context import Context
from bot.keys import UserRef
from bot.services import services_of
from bot.verification.accounts import bucket
from bot.verification.links import LINKED, MIRRORED_KEY, LinkStore
from tests.helpers import OA_ID, Dialogue, last_code, post_event, run_jobs, text_event, user_event
from tests.portalkit import ACCOUNT, KEY, PHONE, account
from tests.test_personal_data import cli
from tests.test_portal_links import link_code, linked


@pytest.fixture
def portal_app(config: dict[str, Any]) -> Flask:
    """A sandbox bot with the portal API key set."""
    return create_app({**config, "PORTAL_API_KEY": KEY})


def own_key(user: str) -> str:
    """The user's own copy of their link."""
    return UserRef(OA_ID, user).key(LINKED)


def link_in_buckets_only(rdb: redis.Redis, user: str, account_id: str) -> None:
    """A link as a version without the users' own keys left it."""
    rdb.hset(bucket("zlink", OA_ID, user), user, account_id)
    rdb.hset(bucket("plink", OA_ID, account_id), account_id, user)


def test_a_link_writes_the_users_own_key_and_moving_it_deletes_the_old_one(
    portal_app: Flask, rdb: redis.Redis
) -> None:
    linked(portal_app, "u1")
    assert rdb.get(own_key("u1")) == ACCOUNT.encode()
    linked(portal_app, "u2")  # the account's link moves to u2
    assert rdb.get(own_key("u1")) is None and rdb.get(own_key("u2")) == ACCOUNT.encode()
    linked(portal_app, "u2", "cz-200456")
    assert rdb.get(own_key("u2")) == b"cz-200456"


def test_withdraw_and_erasing_the_portal_account_delete_the_users_key(
    portal_app: Flask, rdb: redis.Redis
) -> None:
    d = linked(portal_app, "u1")
    d.send(user_event("user_withdraw", "u1"))
    assert rdb.get(own_key("u1")) is None
    other = linked(portal_app, "u2")
    erased = cli(portal_app, "data", "erase", ACCOUNT, "--kind", "portal", given="y\n")
    assert erased.exit_code == 0, erased.output
    assert rdb.get(own_key("u2")) is None
    assert "cz-…123" not in other.say("trạng thái")


def test_links_of_an_earlier_version_are_copied_at_start_and_verify_for_the_account(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    link_in_buckets_only(rdb, "u1", ACCOUNT)
    link_in_buckets_only(rdb, "u7", "cz-777")
    app = create_app({**config, "PORTAL_API_KEY": KEY})
    assert rdb.get(own_key("u1")) == ACCOUNT.encode() and rdb.exists(MIRRORED_KEY)
    assert rdb.get(own_key("u7")) == b"cz-777"
    d = Dialogue(app, "u1")
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    assert "thành công" in d.say(last_code(app, PHONE))
    assert account(app)["phone"] == PHONE  # the portal account's, not u1's
    assert services_of(app).verifier.accounts.get(OA_ID, "u1") is None


def test_the_copy_runs_once(config: dict[str, Any], rdb: redis.Redis) -> None:
    create_app(config)
    link_in_buckets_only(rdb, "u1", ACCOUNT)  # not possible after the upgrade: shows the guard
    assert LinkStore(rdb, "k", 5, 60).mirror_links() == 0
    assert rdb.get(own_key("u1")) is None


def turn(user: str, linked_value: bytes | None) -> Context:
    """A chat turn of user whose claim read linked_value (None: not read)."""
    ctx = Context(user=UserRef(OA_ID, user), lang="vi")
    if linked_value is not None:
        ctx.memo["linked"] = linked_value
    return ctx


def test_before_the_copy_is_known_done_the_buckets_decide(
    portal_app: Flask, rdb: redis.Redis
) -> None:
    verifier = services_of(portal_app).verifier
    rdb.delete(MIRRORED_KEY)
    verifier.links.mirrored = False  # a process started before the copy
    link_in_buckets_only(rdb, "u1", ACCOUNT)
    subject = verifier.subject_of(turn("u1", b""))  # the claim found no key of u1's own
    assert subject.user_id == f"portal:{ACCOUNT}"
    assert not verifier.links.mirrored  # still not known done: the next turn reads again


def test_once_the_copy_is_known_done_the_claims_read_decides(
    portal_app: Flask, rdb: redis.Redis
) -> None:
    verifier = services_of(portal_app).verifier
    verifier.links.mirrored = False
    assert verifier.subject_of(turn("u1", b"")).user_id == "u1"  # learns it from the read
    assert verifier.links.mirrored
    # From now on the claim's read is the link: the buckets are not read (this one differs
    # on purpose, as no real writer leaves them).
    link_in_buckets_only(rdb, "u1", ACCOUNT)
    assert verifier.subject_of(turn("u1", b"")).user_id == "u1"
    assert verifier.subject_of(turn("u1", b"cz-9")).user_id == "portal:cz-9"
    assert verifier.subject_of(turn("u1", None)).user_id == f"portal:{ACCOUNT}"


def test_a_link_code_then_verify_in_one_batch_verifies_for_the_account(
    portal_app: Flask, rdb: redis.Redis
) -> None:
    """The claim read u1's key before the link code's event linked them: the events after
    it in the same drain read the link again."""
    code = link_code(portal_app)
    client = portal_app.test_client()
    for typed in (code, "xác thực", "0912345678", "1"):
        assert post_event(client, text_event("u1", typed)).status_code == 200
    run_jobs(portal_app)
    d = Dialogue(portal_app, "u1")
    d.seen = 10**6  # only what comes next
    d.say(last_code(portal_app, PHONE))
    assert account(portal_app)["phone"] == PHONE
