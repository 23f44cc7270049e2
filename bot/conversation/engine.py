"""The conversation engine: finds the route for an event and runs its handler."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

from bot.conversation.context import Context
from bot.conversation.flow import Event, Flow, Handler, Route, is_payload, text_of
from bot.masking import mask_phones_in, mask_user_id
from bot.metrics import HANDLER_ERRORS
from bot.redis_client import OUTAGE_ERRORS

log = logging.getLogger(__name__)


def describe(event: Event) -> str:
    """What the user sent, for the audit: the text (phones masked, cut short) or the event."""
    text = text_of(event)
    return mask_phones_in(text.strip())[:100] if text is not None else event.event_name


class Engine:
    """Routes in a fixed order of precedence.

    1. global routes (cancel, help, language, follow/unfollow...): work in every state;
    2. the routes of the user's current state, then its flow's fallbacks;
    3. the entry routes of every flow (typing 'verify' mid-dialogue starts over);
    4. a button payload nobody took (from an older message): `stale`;
    5. the state's `otherwise` re-prompt, or `idle` (the menu) when there is no dialogue.

    Before that, `shortcut` may read a typed answer as the button it stands for (a menu's
    number as its topic). Admin-only flows are guarded here and nowhere else: a step of one
    runs only for an admin, and every step, allowed or refused, is written to the audit.
    """

    def __init__(
        self,
        flows: Sequence[Flow],
        global_routes: Sequence[Route],
        idle: Handler,
        stale: Handler | None = None,
        shortcut: Callable[[Event, Context], Event] | None = None,
    ) -> None:
        self.flows = list(flows)
        # Each flow by its name, the prefix of its states (the first flow of a name owns them).
        self.by_name: dict[str, Flow] = {}
        for flow in self.flows:
            self.by_name.setdefault(flow.name, flow)
        self.global_routes = list(global_routes)
        self.idle = idle
        self.stale = stale
        self.shortcut = shortcut

    def flow_of(self, state: str | None) -> Flow | None:
        """The flow a state belongs to (None when idle or unknown): Flow.owns(), by name."""
        return self.by_name.get(state.split(":", 1)[0]) if state is not None else None

    def candidates(self, ctx: Context) -> Iterator[tuple[Flow | None, Route]]:
        """Every route that may answer in ctx's state, highest precedence first."""
        flow = self.flow_of(ctx.state)
        own = flow.states.get(ctx.state or "", ()) if flow is not None else ()
        if flow is not None and ctx.state in flow.strict:
            for route in own:
                yield flow, route
            own = ()
        for route in self.global_routes:
            yield None, route
        if flow is not None and ctx.state is not None:
            for route in (*own, *flow.fallbacks):
                yield flow, route
        for each in self.flows:
            for route in each.entry:
                yield each, route

    def dispatch(self, event: Event, ctx: Context) -> str | None:
        """Run the first matching route's handler; return the next state."""
        if ctx.state is not None and self.flow_of(ctx.state) is None:
            ctx.state, ctx.data = None, {}  # a state from an older release: start afresh
        if self.shortcut is not None:
            event = self.shortcut(event, ctx)
        flow = self.flow_of(ctx.state)
        ctx.step_key = flow.steps.get(ctx.state or "") if flow else None
        ctx.step_prompt = flow.prompts.get(ctx.state or "") if flow else None
        for owner, route in self.candidates(ctx):
            value = route.match(event, ctx)
            if value is not None:
                ctx.match = value
                return self.run(owner, route.then, event, ctx)
        if self.stale is not None and is_payload(event):
            return self.run(flow, self.stale, event, ctx)
        if flow is not None and ctx.state is not None and ctx.state in flow.otherwise:
            return self.run(flow, flow.otherwise[ctx.state], event, ctx)
        return self.idle(event, ctx)

    def run(self, flow: Flow | None, handler: Handler, event: Event, ctx: Context) -> str | None:
        """Run a handler; for admin flows, check access first and audit the step."""
        # A global route (cancel, help...) taken inside an admin dialogue is one of its steps.
        guard = flow if flow is not None else self.flow_of(ctx.state)
        if guard is None or not guard.admin_only:
            return handler(event, ctx)
        step, command = ctx.state or "entry", describe(event)
        if not ctx.is_admin:
            ctx.audit(step, command, result="refused")
            ctx.replies.clear()
            ctx.reply("admin_refused")  # one polite answer for every command: reveals nothing
            return None if guard.owns(ctx.state) else ctx.state
        next_state = handler(event, ctx)
        left = flow is None and next_state is None  # 'hủy' (or an unfollow) ended the dialogue
        ctx.audit(step, command, result=ctx.audit_result or ("cancelled" if left else "ok"))
        return next_state

    def handle(self, event: Event, ctx: Context) -> str | None:
        """dispatch(), but a bug in a handler costs the user one apology, not the dialogue."""
        try:
            return self.dispatch(event, ctx)
        except OUTAGE_ERRORS:
            raise  # Redis is away, not a bug: the event is handled again once it answers
        except Exception:
            HANDLER_ERRORS.inc()
            log.exception(
                "handler failed for %s of %s in state %s",
                event.event_name,
                mask_user_id(ctx.user.user_id),
                ctx.state,
            )
            ctx.replies.clear()
            ctx.jobs.clear()
            ctx.audits.clear()
            ctx.reply("apology")
            return None
