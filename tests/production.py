"""The bot in production mode against loopback fakes of Zalo and the SMS gateways."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask

from bot import create_app
from tests.fakes.sms import FakeSmsGateways
from tests.fakes.zalo import FakeZalo
from tests.helpers import post_event, run_jobs, user_event
from tests.leakcheck import remember

HASH_KEY = "prod-test-otp-hash-key-0123456789"


@contextmanager
def production_bot(
    config: dict[str, Any], provider: str = "esms", **extra: Any
) -> Iterator[tuple[Flask, FakeZalo, FakeSmsGateways]]:
    """A non-sandbox bot whose Zalo and SMS traffic goes to the fakes."""
    with FakeZalo() as zalo, FakeSmsGateways() as sms:
        remember(zalo.access_token, zalo.refresh_token, zalo.app_secret, zalo.oa_secret_key)
        remember(HASH_KEY, *FakeSmsGateways.SECRETS)
        app = create_app(
            {**config, "BOT_SANDBOX": "0", **zalo.config(), **sms.config_for(provider),
             "OTP_HASH_KEY": HASH_KEY, "ZNS_OTP_TEMPLATE_ID": "otp-template",
             # Dialogues that do not test the ZNS fallback never meet it (just under the
             # Zalo code's 120 s, as long as the configuration allows).
             "ZNS_DELIVERY_WAIT_SECONDS": "119", **extra}
        )  # fmt: skip
        yield app, zalo, sms
        zalo.check()


def own_database(config: dict[str, Any]) -> dict[str, Any]:
    """config on database 1 of the test Redis: a production bot beside a sandbox one in the
    same test needs a Redis of its own (a sandbox's Redis refuses it), flushed all the same."""
    return {**config, "REDIS_URL": config["REDIS_URL"].rsplit("/", 1)[0] + "/1"}


class Chat:
    """A user of a production bot: what the user types goes through the signed webhook;
    what the user reads is what the fake Zalo received."""

    def __init__(
        self,
        app: Flask,
        zalo: FakeZalo,
        user: str = "7000000000000000001",
        via: tuple[str, str, str] | None = None,
    ) -> None:
        """via: (app_id, oa_id, webhook key) of another App and OA (default: the main ones)."""
        self.app, self.zalo, self.user = app, zalo, user
        self.app_id, self.oa_id, self.secret = via or (zalo.app_id, zalo.oa_id, zalo.oa_secret_key)
        self.client = app.test_client()
        self.seen = 0

    def send(self, event: dict[str, Any]) -> list[str]:
        """Deliver an event, run the jobs, return the texts Zalo received for the user since."""
        answer = post_event(self.client, event, secret=self.secret)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        run_jobs(self.app)
        texts = self.zalo.messages_to(self.user)
        new, self.seen = texts[self.seen :], len(texts)
        return new

    def say(self, text: str) -> str:
        """Type text; the bot's answer."""
        message = {"text": text, "msg_id": uuid.uuid4().hex}
        event = user_event("user_send_text", self.user, message=message,
                           app_id=self.app_id, oa_id=self.oa_id)  # fmt: skip
        return "\n\n".join(self.send(event))
