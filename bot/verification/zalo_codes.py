"""Where Zalo codes go: the approved ZNS template, or (sandbox) the phone's inbox."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from bot.config import Settings
from bot.keys import publish_update
from bot.sms.console import PHONE_INBOX_MAX_ITEMS, PHONE_INBOX_TTL_SECONDS, phone_inbox_key
from bot.zalo.outbound import Outbound


@dataclass(frozen=True, slots=True)
class CodeSent:
    """A code accepted: delivered already (a gateway or the sandbox says so), or, for a Zalo
    code, Zalo's msg_id to ask about later."""

    delivered: bool
    msg_id: str = ""


class ZnsCodeSender:
    """Sends the code as the OA's ZNS OTP template (ZNS_OTP_TEMPLATE_ID, parameter
    ZNS_OTP_PARAM), with the token of the OA the user writes to."""

    def __init__(self, outbound: Callable[[str], Outbound], settings: Settings) -> None:
        self.outbound = outbound  # oa_id -> that OA's outbound
        self.settings = settings

    def send(self, oa_id: str, phone_e164: str, code: str, reference: str) -> CodeSent:
        """One template message; raises zalo_api errors (-118: the number has no Zalo).
        Accepted, not yet delivered: Zalo's receipt (or its message status) says that later."""
        outbound = self.outbound(oa_id)
        result = outbound.zns.send_template(
            phone_e164,
            outbound.oa.zns_template_id,
            {self.settings.zns_otp_param: code},
            reference,
            development=self.settings.zns_mode == "development",
        )
        return CodeSent(delivered=False, msg_id=result.msg_id)


class SandboxZaloCodeSender:
    """Sandbox: the 'Zalo message' lands in the phone's inbox next to its SMS."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def send(self, oa_id: str, phone_e164: str, code: str, reference: str) -> CodeSent:
        """Append the message the template would show (whichever OA); delivered at once."""
        key = phone_inbox_key(phone_e164)
        item = {
            "channel": "zalo",
            "text": f"[ZNS OTP] {code}",
            "reference": reference,
            "at": time.time(),
        }
        with self.client.pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(item))
            pipe.ltrim(key, -PHONE_INBOX_MAX_ITEMS, -1)
            pipe.expire(key, PHONE_INBOX_TTL_SECONDS)
            publish_update(pipe)
            pipe.execute()
        return CodeSent(delivered=True)
