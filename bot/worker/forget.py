"""user_withdraw: delete every record the bot keeps about one user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redis.client import Pipeline

from bot.keys import UserRef
from bot.queues.code_sends import CodeSends
from bot.queues.inbox import EventInbox
from bot.queues.outbox import Outbox
from bot.verification.callback import callbacks_key
from bot.worker.dead_letters import DeadLetters
from bot.worker.senders import sandbox_chat_key, sandbox_phones_key

if TYPE_CHECKING:
    from bot.services import Services


def forget_user(services: Services, pipe: Pipeline, user: UserRef) -> None:
    """Queue the deletion of the user's data in every store into the open transaction."""
    services.conversations.forget(pipe, user)
    EventInbox(services.redis, user).forget(pipe)
    DeadLetters(services.redis).forget(pipe, user)
    Outbox(services.redis, user).forget(pipe)
    CodeSends(services.redis, user).forget(pipe)
    pipe.delete(sandbox_chat_key(user), sandbox_phones_key(user))
    services.verifier.codes.forget(pipe, user)
    services.verifier.funnel.forget(pipe, user)
    services.verifier.accounts.forget(pipe, user.oa_id, user.user_id)
    services.verifier.links.forget(pipe, user)
    pipe.delete(callbacks_key(user))  # frozen callback bodies hold the phone
