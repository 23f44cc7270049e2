"""The worker process on gevent: its threads are greenlets, its sockets cooperative.

A worker waits on the network nearly all the time (Redis, Zalo, SMS gateways), in dozens of
threads at once. As OS threads, every wait and wake hands the GIL over and switches context:
measured at about 260 switches per event, more CPU than the bot's own work. As greenlets on
one OS thread, a wait is a switch inside the process. Patched before anything opens a
socket or starts a thread; the forking worker (WORKER_CLASS=fork) is left as it is.
"""

from __future__ import annotations

import os


def patch_worker_process() -> bool:
    """Make this process cooperative unless it is a forking worker; True if patched."""
    # Read before bot.config can be imported: patching must come first.
    if os.environ.get("WORKER_CLASS", "simple").strip().lower() == "fork":
        return False
    from gevent import monkey

    monkey.patch_all()
    return True
