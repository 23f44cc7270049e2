"""What a handler gets besides the event: who, where in the dialogue, and what to send."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import redis

from bot.config import Settings
from bot.keys import UserRef
from bot.oas import OA, OARegistry
from bot.queues.code_sends import CodeSend
from bot.texts import render
from zalo_api.messages import MAX_BUTTONS as MAX_BUTTONS
from zalo_api.messages import Button as Button
from zalo_api.messages import InfoRequest, Message, Text

if TYPE_CHECKING:  # the parts a turn uses live above the engine (no circle: they import no Context)
    from bot.admin.assets import AssetRegistry
    from bot.admin.audit import AuditLog
    from bot.verification.funnel import Step
    from bot.verification.service import Verifier


class TurnParts(Protocol):
    """What a turn may use of the process (bot.services.Services has all of it)."""

    @property
    def settings(self) -> Settings:
        """The process's settings."""

    @property
    def redis(self) -> redis.Redis:
        """The Redis client."""

    @property
    def registry(self) -> OARegistry:
        """The OAs this deployment serves."""

    @property
    def verifier(self) -> Verifier:
        """Phone verification: codes, accounts, limits."""

    @property
    def assets(self) -> AssetRegistry:
        """The linked App IDs and OAs."""

    @property
    def audit(self) -> AuditLog:
        """The audit trail of admin commands."""


@dataclass(frozen=True)
class PendingJob:
    """An RQ job to enqueue when (and only if) the event's outcome is committed."""

    func: Callable[..., Any]
    args: tuple[Any, ...]
    queue: str
    options: dict[str, Any]


@dataclass(frozen=True)
class AuditEntry:
    """Who did what to which target, with what result (the time is added when written)."""

    who: str
    command: str
    step: str
    target: str
    result: str


@dataclass
class Context:
    """Per-event context: handlers read it and record replies and jobs; they do no sending."""

    user: UserRef
    lang: str
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    user_id_by_app: str | None = None
    app_id: str = ""
    admin_check: Callable[[], bool] | None = None
    # The OA the user writes to, and the process's parts (None: the engine's own tests).
    served_by: OA | None = None
    parts: TurnParts | None = None
    match: Any = None
    step_key: str | None = None
    # Asks the current step's question again (with its buttons); None outside a dialogue.
    step_prompt: Callable[[Any, Context], str | None] | None = None
    now: float = field(default_factory=time.time)
    received_at: float | None = None  # when the user's event happened (for the reply's age)
    replies: list[Message] = field(default_factory=list)
    jobs: list[PendingJob] = field(default_factory=list)
    codes: list[CodeSend] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)  # funnel steps, counted by the commit
    language_changed: bool = False
    forget_requested: bool = False
    audits: list[AuditEntry] = field(default_factory=list)
    audit_target: str = ""
    audit_result: str = ""
    # Reads that hold for the whole event, made once (whose verification this is, say).
    memo: dict[str, Any] = field(default_factory=dict)
    _is_admin: bool | None = None

    def need_parts(self) -> TurnParts:
        """The process's parts; a handler that uses them needs a context built by the bot."""
        if self.parts is None:
            raise LookupError("this context was built without the process's parts")
        return self.parts

    @property
    def oa(self) -> OA:
        """The OA the user writes to."""
        if self.served_by is None:
            raise LookupError("this context was built without its OA")
        return self.served_by

    @property
    def settings(self) -> Settings:
        """The process's settings."""
        return self.need_parts().settings

    @property
    def redis(self) -> redis.Redis:
        """The Redis client."""
        return self.need_parts().redis

    @property
    def verifier(self) -> Verifier:
        """Phone verification: codes, accounts, limits."""
        return self.need_parts().verifier

    @property
    def assets(self) -> AssetRegistry:
        """The linked App IDs and OAs."""
        return self.need_parts().assets

    @property
    def audit_log(self) -> AuditLog:
        """The audit trail of admin commands (audit() records this turn's entry)."""
        return self.need_parts().audit

    @property
    def is_admin(self) -> bool:
        """Whether the user is an admin (asked once per event, only when it matters)."""
        if self._is_admin is None:
            self._is_admin = bool(self.admin_check and self.admin_check())
        return self._is_admin

    def audit(self, step: str, command: str, result: str) -> None:
        """Record an admin step for the audit stream (written with the event's commit)."""
        self.audits.append(AuditEntry(self.user.user_id, command, step, self.audit_target, result))

    def text(self, key: str, **params: object) -> str:
        """A catalogue text in the user's language."""
        return render(key, self.lang, **params)

    def reply(self, key: str, buttons: Sequence[Button] = (), **params: object) -> None:
        """Record a catalogue text to send, with tap buttons for the choices it offers."""
        self.replies.append(Text(self.text(key, **params), tuple(buttons)))

    def reply_raw(self, text: str, buttons: Sequence[Button] = ()) -> None:
        """Record an already rendered text (lists assembled from catalogue pieces)."""
        self.replies.append(Text(text, tuple(buttons)))

    def button(self, key: str, payload: str, **params: object) -> Button:
        """A tap button titled with a catalogue text."""
        return Button(self.text(key, **params), payload)

    def request_user_info(self, title_key: str, subtitle_key: str, image_url: str) -> None:
        """Record Zalo's 'share your information' form (answered by user_submit_info)."""
        form = InfoRequest(self.text(title_key), self.text(subtitle_key), image_url)
        self.replies.append(form)

    def enqueue(self, func: Callable[..., Any], *args: Any, queue: str, **options: Any) -> None:
        """Record a job to enqueue atomically with the new state."""
        self.jobs.append(PendingJob(func, args, queue, options))

    def queue_code(self, send: CodeSend) -> None:
        """Record a code to send, queued atomically with the new state."""
        self.codes.append(send)

    def count_step(self, step: Step) -> None:
        """Record a funnel step, counted atomically with the new state."""
        self.steps.append(step)

    def set_language(self, lang: str) -> None:
        """Switch the user's language for this reply and the next ones."""
        self.lang = lang
        self.language_changed = True

    def forget_user(self) -> None:
        """Ask for every record of this user to be deleted when the event is committed."""
        self.forget_requested = True
