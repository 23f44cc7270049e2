"""One outbound message, one shape: what a turn records, the outbox keeps and the OA API posts.

A `Text` (with at most MAX_BUTTONS tap buttons) or an `InfoRequest` (Zalo's 'share your
information' form). `parts()` is the one place a long text is split for Zalo's limit (the
buttons go under the last part, where the choices are read); `as_json()` and `message_of()`
are the one stored form (the outbox, the sandbox chat log); `OAClient.send()` posts a part
as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zalo_api.text import MAX_TEXT_CHARS, split_text, utf16_len

# Zalo shows at most five buttons under one message (ZALO_API.md, "Text with tap buttons").
MAX_BUTTONS = 5
TEXT, INFO_REQUEST = "text", "request_user_info"


@dataclass(frozen=True, slots=True)
class Button:
    """A tap button (oa.query.hide): the title shown, the text it sends back as the answer."""

    title: str
    payload: str

    def as_json(self) -> dict[str, str]:
        """The stored form."""
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True, slots=True)
class Text:
    """A text, with tap buttons when it offers choices."""

    text: str
    buttons: tuple[Button, ...] = ()
    kind = TEXT

    def __post_init__(self) -> None:
        if len(self.buttons) > MAX_BUTTONS:
            raise ValueError(f"at most {MAX_BUTTONS} buttons under one message")

    def as_json(self) -> dict[str, Any]:
        """The stored form: {"text": ...} plus "buttons" when there are any."""
        found: dict[str, Any] = {"text": self.text}
        if self.buttons:
            found["buttons"] = [button.as_json() for button in self.buttons]
        return found

    def fits(self) -> bool:
        """Whether one API call can carry it (Zalo's limit, counted as Zalo counts)."""
        return 0 < utf16_len(self.text) <= MAX_TEXT_CHARS


@dataclass(frozen=True, slots=True)
class InfoRequest:
    """Zalo's 'share your information' form (answered by a user_submit_info event)."""

    title: str
    subtitle: str
    image_url: str
    kind = INFO_REQUEST

    def as_json(self) -> dict[str, Any]:
        """The stored form."""
        return {"title": self.title, "subtitle": self.subtitle, "image_url": self.image_url}


Message = Text | InfoRequest


def parts(message: Message) -> list[Message]:
    """The messages one API call each can carry: a text over Zalo's limit becomes several,
    its buttons under the last part; an empty text, none."""
    if not isinstance(message, Text):
        return [message]
    chunks = split_text(message.text)
    return [
        Text(chunk, message.buttons if n == len(chunks) - 1 else ())
        for n, chunk in enumerate(chunks)
    ]


def message_of(kind: str, payload: Mapping[str, Any]) -> Message:
    """The message a stored (kind, payload) pair holds."""
    if kind == INFO_REQUEST:
        return InfoRequest(
            str(payload["title"]), str(payload["subtitle"]), str(payload["image_url"])
        )
    buttons = tuple(Button(str(b["title"]), str(b["payload"])) for b in payload.get("buttons", ()))
    return Text(str(payload["text"]), buttons)
