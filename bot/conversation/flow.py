"""Conversations as data: routes (a matcher and a handler), states, flows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.context import Context
from bot.conversation.intent_matching import Intents, canonical
from bot.conversation.textnorm import digits_only, normalize, to_ascii_digits
from bot.queues.internal_events import SendFailed
from zalo_api.events import Event as ZaloEvent
from zalo_api.events import UserText

# What handlers see: Zalo's events and the bot's own (see bot.queues.internal_events).
Event = ZaloEvent | SendFailed
AnyEvent = Event
# A handler returns the next state ("flow:state"), or None when the dialogue is over.
Handler = Callable[[Event, Context], str | None]
NO_MATCH: Any = None


def reply_and_stay(key: str) -> Handler:
    """A handler that answers with one catalogue text and keeps the dialogue where it is."""

    def handler(event: Event, ctx: Context) -> str | None:
        ctx.reply(key)
        return ctx.state

    handler.__doc__ = f"Reply {key!r}, keep the state."
    return handler


class Route:
    """A matcher with the handler to run when it matches (the value goes to ctx.match)."""

    def __init__(self, then: Handler) -> None:
        self.then = then

    def match(self, event: Event, ctx: Context) -> Any:
        """The matched value, or None when the route does not apply."""
        raise NotImplementedError


def text_of(event: Event) -> str | None:
    """The text of a text event, else None."""
    return event.text if isinstance(event, UserText) else None


def is_payload(event: Event) -> bool:
    """Whether the event is a button payload ('#sms'), as a tap on a button sends it."""
    text = text_of(event)
    return text is not None and text.strip().startswith("#")


class Keyword(Route):
    """Typed words or button payloads, compared without case, diacritics or punctuation."""

    def __init__(self, *words: str, then: Handler) -> None:
        super().__init__(then)
        self.words = frozenset(normalize(w) for w in words)

    def match(self, event: Event, ctx: Context) -> Any:
        """The normalised word when it is one of ours."""
        text = text_of(event)
        folded = normalize(text) if text is not None else None
        return folded if folded in self.words else NO_MATCH


class Command(Route):
    """'/name arg arg': the value is the list of arguments (possibly empty)."""

    def __init__(self, name: str, then: Handler) -> None:
        super().__init__(then)
        self.name = "/" + name.lstrip("/")

    def match(self, event: Event, ctx: Context) -> Any:
        """The arguments when the text is this command."""
        text = text_of(event)
        if text is None:
            return NO_MATCH
        words = normalize(text).split()
        return words[1:] if words and words[0] == self.name else NO_MATCH


class Intent(Route):
    """Free text that means one intent of a table ('mình muốn xác thực sđt ạ' is 'verify')."""

    def __init__(self, intents: Intents, name: str, then: Handler) -> None:
        super().__init__(then)
        self.intents = intents
        self.name = name

    def match(self, event: Event, ctx: Context) -> Any:
        """The intent's name when the text means it."""
        text = text_of(event)
        return self.name if text is not None and self.intents.of(text) == self.name else NO_MATCH


class Choice(Route):
    """One of a few answers ('1', 'sms', '#sms', 'sms nhé'...) mapped to a value."""

    def __init__(self, options: Mapping[str, str], then: Handler) -> None:
        super().__init__(then)
        self.options = {canonical(k): v for k, v in options.items()}

    def match(self, event: Event, ctx: Context) -> Any:
        """The mapped value of the answer."""
        text = text_of(event)
        return self.options.get(canonical(text)) if text is not None else None


class Digits(Route):
    """A code of `length` digits; spaces and full-width digits tolerated."""

    def __init__(self, length: int, then: Handler) -> None:
        super().__init__(then)
        self.length = length

    def match(self, event: Event, ctx: Context) -> Any:
        """The digits as an ASCII string."""
        text = text_of(event)
        if text is None:
            return NO_MATCH
        compact = "".join(to_ascii_digits(text).split())
        found = digits_only(compact)
        return found if found == compact and len(found) == self.length else NO_MATCH


class OutsideDialogue(Route):
    """Another route, taken only when the user is in no dialogue (a code typed too late)."""

    def __init__(self, inner: Route) -> None:
        super().__init__(inner.then)
        self.inner = inner

    def match(self, event: Event, ctx: Context) -> Any:
        """The inner route's value, outside any dialogue."""
        return self.inner.match(event, ctx) if ctx.state is None else NO_MATCH


class OnEvent(Route):
    """Any event of the given classes (follow, a submitted form, an image...)."""

    def __init__(self, *kinds: type[ZaloEvent] | type[SendFailed], then: Handler) -> None:
        super().__init__(then)
        self.kinds = kinds

    def match(self, event: Event, ctx: Context) -> Any:
        """The event itself."""
        return event if isinstance(event, self.kinds) else NO_MATCH


class AnyText(Route):
    """Any text at all (the raw text is the value)."""

    def match(self, event: Event, ctx: Context) -> Any:
        """The text as typed."""
        return text_of(event)


class TextWhere(Route):
    """Text for which a test holds (the text is the value); other text goes on to the routes
    after it, so a step that takes free text still hears keywords."""

    def __init__(self, test: Callable[[str], bool], then: Handler) -> None:
        super().__init__(then)
        self.test = test

    def match(self, event: Event, ctx: Context) -> Any:
        """The text, when the test holds."""
        text = text_of(event)
        return text if text is not None and self.test(text) else NO_MATCH


@dataclass(frozen=True)
class Flow:
    """A dialogue: entry routes, routes per state ("flow:state"), and flow-wide fallbacks.

    `otherwise` runs when nothing matched in one of the flow's states (a re-prompt); `steps`
    names each state for the help text and `prompts` asks its question again (with its
    buttons); in `strict` states the state's routes are tried before the global ones.
    Every step of an `admin_only` flow is checked and audited by the engine, in one place.
    """

    name: str
    entry: Sequence[Route]
    states: Mapping[str, Sequence[Route]]
    fallbacks: Sequence[Route] = ()
    otherwise: Mapping[str, Handler] = field(default_factory=dict)
    steps: Mapping[str, str] = field(default_factory=dict)
    prompts: Mapping[str, Handler] = field(default_factory=dict)
    admin_only: bool = False
    # States whose own routes come before the global ones: at a confirmation, any word but
    # the confirming one (even 'help') cancels.
    strict: frozenset[str] = frozenset()

    def owns(self, state: str | None) -> bool:
        """Whether state is one of this flow's."""
        return state is not None and state.split(":", 1)[0] == self.name
