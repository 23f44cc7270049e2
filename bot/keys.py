"""Redis key names and the values read back.

Keys of one user share the hash tag {oa_id:user_id} (Redis Cluster slots). The client is in
bytes mode, so values read back are bytes; text() and text_dict() turn them into str.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from bot.masking import mask_user_id


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user as one OA sees them: Zalo user ids are scoped by OA."""

    oa_id: str
    user_id: str

    @property
    def tag(self) -> str:
        """The hash tag every key of this user carries."""
        return "{" + self.oa_id + ":" + self.user_id + "}"

    def key(self, kind: str) -> str:
        """The key of one kind of per-user data, e.g. 'conv:{oa:user}'."""
        return f"{kind}:{self.tag}"

    def as_args(self) -> tuple[str, str]:
        """JSON-able job arguments naming this user."""
        return (self.oa_id, self.user_id)

    def job_description(self, job: str) -> str:
        """What RQ logs for a job of this user: never its arguments (phones, code nonces)."""
        return f"{job}({mask_user_id(self.user_id)})"


# What a Lua script call accepts as ARGV.
ScriptArgs = list[str | int | float | bytes]


def text(value: Any) -> str:
    """A stored value as text ('' for a missing one)."""
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def text_dict(value: Any) -> dict[str, str]:
    """A hash (or stream entry) as a dict of text."""
    return {text(k): text(v) for k, v in (value or {}).items()}


# Open simulator pages listen here (bot.web.simulator.stream) and push what changed.
UPDATES_CHANNEL = "sandbox:updates"


def publish_update(pipe: redis.client.Pipeline | redis.Redis) -> None:
    """Tell open simulator pages that the sandbox changed (in the writer's own pipeline)."""
    pipe.publish(UPDATES_CHANNEL, "1")
