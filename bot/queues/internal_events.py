"""Events the bot sends itself through a user's inbox, so they are handled in order.

A send job that finally fails cannot touch the conversation directly (a worker may be in
the middle of the user's dialogue); it drops an event in the user's inbox instead, and the
conversation reacts when its turn comes, under the same per-user lock as Zalo's events.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.keys import UserRef
from bot.queues.inbox import record_event, stored

if TYPE_CHECKING:
    from bot.connections import Connections

KIND = "bot_event"


@dataclass(frozen=True, slots=True)
class SendFailed:
    """The code with this reference could not be delivered by channel."""

    channel: str
    reason: str  # "failed", "no_zalo_account", "expired" or "undelivered" (ZNS, SMS offered)
    reference: str
    timestamp: str
    event_name: str = "bot_send_failed"
    user_id_by_app: str | None = None
    app_id: str = ""


def decode_internal(payload: dict[str, Any]) -> SendFailed | None:
    """The internal event of an inbox item recorded by a version that stored it as a plain
    object (before events were stored parsed), or None."""
    if payload.get(KIND) != "send_failed":
        return None
    return SendFailed(
        channel=str(payload["channel"]),
        reason=str(payload["reason"]),
        reference=str(payload["reference"]),
        timestamp=str(payload["timestamp"]),
    )


def notify_send_failed(
    services: Connections, user: UserRef, channel: str, reason: str, reference: str
) -> None:
    """Queue a SendFailed for user (once per code, however often the job runs)."""
    now_ms = int(time.time() * 1000)
    event = SendFailed(channel, reason, reference, str(now_ms))
    record_event(services, user, f"failed:{reference}", now_ms, stored(event))
