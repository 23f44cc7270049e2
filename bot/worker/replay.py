"""Dead letters replayed or removed by an operator, audited.

A replayed event goes back into its user's inbox under Zalo's timestamp, so the normal
pipeline handles it in order, with its attempts counted afresh (a portal callback is sent
again, its stored body unchanged); taking it out of the dead letters happens in the same
transaction, so two operators cannot replay it twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.client import Pipeline

from bot.conversation.context import AuditEntry
from bot.queues.inbox import STAGE_EVENTS, EventInbox
from bot.queues.ready import ReadySet
from bot.services import Services
from bot.verification.callback import DEAD_LETTER_NAME, send_again
from bot.worker.dead_letters import DeadLetter, DeadLetters

REPLAYED, REMOVED = "replayed", "removed"
# Where an operator acted from: the audit tells a terminal from the admin page.
CLI, WEB = "cli", "web"


def replay(services: Services, short_id: str, who: str = "cli", via: str = CLI) -> list[str]:
    """Put the dead letters matching short_id ('*': all) back in their users' inboxes."""

    def requeue(pipe: Pipeline, letter: DeadLetter) -> None:
        if letter.event_name == DEAD_LETTER_NAME:  # not an event: no inbox takes it
            send_again(services, pipe, letter.user, letter.body)
        else:
            inbox = EventInbox(services.redis, letter.user).keys[1]
            pipe.zadd(inbox, {letter.body: timestamp_of(letter)})
            ReadySet(services.redis, STAGE_EVENTS).mark(letter.user, pipe=pipe)
        audit(services, pipe, Done(who, via, "replay", REPLAYED), letter)

    return act_on(services, short_id, requeue)


def remove(services: Services, short_id: str, who: str = "cli", via: str = CLI) -> list[str]:
    """Delete the dead letters matching short_id ('*': all), for good."""

    def drop(pipe: Pipeline, letter: DeadLetter) -> None:
        audit(services, pipe, Done(who, via, "remove", REMOVED), letter)

    return act_on(services, short_id, drop)


def act_on(
    services: Services, short_id: str, then: Callable[[Pipeline, DeadLetter], None]
) -> list[str]:
    """Take each matching dead letter and do then() with it; the short ids done."""
    letters = DeadLetters(services.redis)
    done = []
    for entry_id in letters.find(short_id):
        if letters.take(entry_id, then):
            done.append(entry_id.rsplit("|", 1)[1])
    return done


@dataclass(frozen=True)
class Done:
    """Who acted on dead letters, from where (CLI or WEB), doing what, with what result."""

    who: str
    via: str
    action: str
    result: str


def audit(services: Services, pipe: Pipeline, done: Done, letter: DeadLetter) -> None:
    """One audit line per letter: who did what to which event, from the CLI or the admin
    page (no body, no user id)."""
    target = f"{letter.event_name} {letter.short_id}"
    command = f"flask events {done.action} {letter.short_id}" if done.via == CLI else done.action
    entry = AuditEntry(done.who, command, done.via, target, done.result)
    services.audit.write(entry, pipe)


def timestamp_of(letter: DeadLetter) -> int:
    """Zalo's timestamp of the event (its place in the inbox), else when it was set aside."""
    try:
        loaded: Any = json.loads(letter.body)
        return int(loaded["timestamp"])
    except (ValueError, KeyError, TypeError):
        return int(letter.at * 1000)
