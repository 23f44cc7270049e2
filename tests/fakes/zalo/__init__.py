"""A loopback fake of Zalo (OA messages, user detail, OAuth v4, ZNS) that keeps state.

Speaks Zalo's formats at Zalo's paths on one threaded werkzeug server on 127.0.0.1, so the
real clients run unchanged. Error codes follow ZALO_API.md; the OAuth error codes are invented.

    with FakeZalo(access_token="a1", refresh_token="r1") as zalo:
        app = create_app(base_config | {"BOT_SANDBOX": "0", **zalo.config()})
        zalo.fail_next("cs", error=-32)  # the next message is rate-limited
        ...
        assert zalo.messages_to(user_id) == [...]
"""

from __future__ import annotations

from tests.fakes.zalo.records import Scripted, SentMessage, SentZns
from tests.fakes.zalo.server import FakeZalo

__all__ = ["FakeZalo", "Scripted", "SentMessage", "SentZns"]
