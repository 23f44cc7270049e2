"""What a handler gets besides the event: who, where in the dialogue, and what to send."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.keys import UserRef
from bot.queues.codes import CodeSend
from bot.texts import render
from zalo_api.messages import MAX_BUTTONS as MAX_BUTTONS
from zalo_api.messages import Button as Button
from zalo_api.messages import InfoRequest, Message, Text


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
    services: Any = None
    match: Any = None
    step_key: str | None = None
    # Asks the current step's question again (with its buttons); None outside a dialogue.
    step_prompt: Callable[[Any, Context], str | None] | None = None
    now: float = field(default_factory=time.time)
    replies: list[Message] = field(default_factory=list)
    jobs: list[PendingJob] = field(default_factory=list)
    codes: list[CodeSend] = field(default_factory=list)
    language_changed: bool = False
    forget_requested: bool = False
    audits: list[AuditEntry] = field(default_factory=list)
    audit_target: str = ""
    audit_result: str = ""
    # Reads that hold for the whole event, made once (whose verification this is, say).
    memo: dict[str, Any] = field(default_factory=dict)
    _is_admin: bool | None = None

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

    def set_language(self, lang: str) -> None:
        """Switch the user's language for this reply and the next ones."""
        self.lang = lang
        self.language_changed = True

    def forget_user(self) -> None:
        """Ask for every record of this user to be deleted when the event is committed."""
        self.forget_requested = True
