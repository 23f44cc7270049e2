"""The worker process on gevent: its threads are greenlets, its sockets cooperative.

A worker waits on the network nearly all the time (Redis, Zalo, SMS gateways), in dozens of
threads at once. As OS threads, every wait and wake hands the GIL over and switches context:
measured at about 260 switches per event, more CPU than the bot's own work. As greenlets on
one OS thread, a wait is a switch inside the process. Patched before anything opens a
socket or starts a thread.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import Any


def patch_worker_process() -> None:
    """Make this process cooperative (before bot.config or any socket is imported)."""
    from gevent import monkey

    monkey.patch_all()
    native_readiness_check()
    gevent_http_pools()


def native_readiness_check() -> None:
    """Give redis-py's readiness check the OS's poll when it must not wait.

    Before every command redis-py asks, with a zero-timeout select.poll(), whether the pooled
    connection holds unread data. Patched, that poll is gevent's, which starts watchers and
    switches to the hub: about a quarter of the CPU a Redis command costs (a loop of GETs
    against a local Redis: 110-117 µs each with gevent's poll, 79-88 µs with the OS's). A zero
    timeout never blocks, so the OS's poll is as cooperative there; a wait (RQ's pub/sub
    listens with one) still goes to gevent's. Only redis-py's parser module is given it.
    """
    import select

    from redis._parsers import hiredis

    constants = {name: getattr(select, name) for name in dir(select) if name.isupper()}
    native = SimpleNamespace(**constants, poll=ZeroWaitPoll)
    hiredis.select = native  # type: ignore[attr-defined,assignment]


def gevent_http_pools() -> None:
    """Send the Zalo and SMS gateway calls (zalo_api.transport.pooled_call) on
    geventhttpclient's pools, one connection per sending greenlet: in this process a call
    costs about a third of urllib3's CPU (zalo_api/gevent_pools.py has the figures)."""
    from bot.connections import HTTP_POOL_SIZE
    from zalo_api.gevent_pools import GeventPools
    from zalo_api.transport import use_exchange

    use_exchange(GeventPools(HTTP_POOL_SIZE).exchange)


class ZeroWaitPoll:
    """select.poll(): the OS's for a poll that must not wait, gevent's for one that may."""

    def __init__(self) -> None:
        self.registered: list[tuple[Any, int]] = []

    def register(self, fd: Any, events: int) -> None:
        """Watch fd for events (kept until the poll knows which poll to use)."""
        self.registered.append((fd, events))

    def poll(self, timeout: float | None = None) -> list[tuple[int, int]]:
        """Ready (fd, events), waiting up to timeout ms (None: for ever)."""
        poller = native_poll()() if timeout == 0 else gevent_poll()
        for fd, events in self.registered:
            poller.register(fd, events)
        return list(poller.poll(timeout))


@cache
def native_poll() -> Any:
    """The OS's select.poll, as gevent kept it (looked up once)."""
    from gevent import monkey

    return monkey.get_original("select", "poll")


def gevent_poll() -> Any:
    """gevent's cooperative select.poll() object."""
    from gevent.select import poll

    return poll()
