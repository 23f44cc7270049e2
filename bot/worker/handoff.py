"""Hand-offs: the events stage gives a user whose replies (or codes) it commits straight to
this process's runner of that stage, with no claim and no wake-up in between.

When that runner has a free thread, the commit's transaction also takes the user's send lock,
leases them in the stage's ready set and reads their first item (ReadySet.mark_or_take), as a
claim would; once committed, the runner serves them as if it had claimed them. If another
process holds the lock, the user is marked as always (that holder, or a runner, sees the
items). A crash after the commit loses nothing: the lease runs out and the user is due again.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

import redis
from redis.client import Pipeline

from bot.keys import UserRef
from bot.queues.ready import Arrivals, ReadySet, Taken
from bot.queues.serial import Drained
from bot.worker.runner import Runner

# The runners of this process's crew (bot.worker.crew), by Redis client and stage: absent
# outside a crew (serve_due, the chat CLI's worker), where commits only mark.
RUNNERS: dict[tuple[redis.Redis, str], Runner] = {}


def register(runner: Runner) -> None:
    """Hand users of runner's stage to runner from now on."""
    RUNNERS[(runner.services.redis, runner.stage.name)] = runner


def unregister(runner: Runner) -> None:
    """No more hand-offs to runner (stopped)."""
    key = (runner.services.redis, runner.stage.name)
    if RUNNERS.get(key) is runner:
        del RUNNERS[key]


@dataclass(frozen=True)
class Offer:
    """A user the transaction tries to take for runner: the token their lock would hold, and
    where the transaction answers their first items."""

    runner: Runner
    user: UserRef
    token: str
    index: int


class HandOffs(Arrivals):
    """The users one commit takes for this process's runners (a thread kept for each), handed
    to them once committed; any other arrival is marked as usual. Used as a context manager
    around the transaction: threads kept for a commit that failed are freed."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.offers: list[Offer] = []

    def arrived(self, ready: ReadySet, user: UserRef, pipe: Pipeline) -> None:
        """Take the user for the stage's runner if it has a free thread, else mark them."""
        runner = RUNNERS.get((self.client, ready.stage))
        if runner is None or not runner.book(1):
            ready.mark(user, pipe=pipe)
            return
        index = len(pipe)  # the answer's place among the transaction's
        token = ready.mark_or_take(user, runner.stage.take, pipe)
        self.offers.append(Offer(runner, user, token, index))

    def execute(self, pipe: Pipeline) -> list[Any]:
        """Run the transaction, then hand each user taken to their runner, in the order they
        arrived (codes first, bot.worker.processing); the answers."""
        answers: list[Any] = pipe.execute()
        offers, self.offers = self.offers, []
        for offer in offers:
            items, *extras = answers[offer.index] or [[]]
            if items:
                taken = Drained(list(items), list(extras), offer.token)
                offer.runner.hand_off(Taken(offer.user, taken))
            else:  # marked: another holds the lock, or the user waits for a retry
                offer.runner.unbook(1)
        return answers

    def __enter__(self) -> HandOffs:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Free the threads kept for users never handed over (the commit failed)."""
        for offer in self.offers:
            offer.runner.unbook(1)
        self.offers = []
