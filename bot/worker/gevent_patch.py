"""The worker process on gevent: its threads are greenlets, its sockets cooperative.

A worker waits on the network nearly all the time (Redis, Zalo, SMS gateways), in dozens of
threads at once. As OS threads, every wait and wake hands the GIL over and switches context:
measured at about 260 switches per event, more CPU than the bot's own work. As greenlets on
one OS thread, a wait is a switch inside the process. Patched before anything opens a
socket or starts a thread.
"""

from __future__ import annotations


def patch_worker_process() -> None:
    """Make this process cooperative (before bot.config or any socket is imported)."""
    from gevent import monkey

    monkey.patch_all()
