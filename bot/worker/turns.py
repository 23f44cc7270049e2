"""What a committed turn tells the metrics: its dialogue's move and its funnel steps.

The commit of a turn (bot.worker.processing) is the one place that sees a whole step: the
state before and after, the replies, the codes, the audits. Its funnel steps are written in
its transaction (Funnel.add_steps); once it is committed, observed() counts them and the move.
"""

from __future__ import annotations

import time

from bot.conversation.context import Context
from bot.conversation.flow import AnyEvent
from bot.metrics import FLOW_TRANSITIONS, oa_label

START, END = "start", "end"  # the `from` of a dialogue's first state, the `to` of its last


def received_at(event: AnyEvent) -> float:
    """When the user's event happened (Zalo's timestamp, ms), or now if it has none."""
    try:
        return int(event.timestamp) / 1000
    except ValueError:
        return time.time()


def transition(before: str | None, after: str | None) -> tuple[str, str, str] | None:
    """(flow, from, to) of a turn that moved a dialogue; None when it stayed where it was."""
    if before == after:
        return None
    flow = (after or before or "").partition(":")[0]
    return flow, before or START, after or END


def observed(ctx: Context, before: str | None, after: str | None) -> None:
    """Count a committed turn: its dialogue's move and its funnel steps."""
    moved = transition(before, after)
    if moved is not None:
        FLOW_TRANSITIONS.labels(oa_label(ctx.user.oa_id), *moved).inc()
    for step in ctx.steps:
        step.observe()
