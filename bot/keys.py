"""Redis key names. Keys of one user share the hash tag {oa_id:user_id} (Redis Cluster slots)."""

from __future__ import annotations

from dataclasses import dataclass

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
