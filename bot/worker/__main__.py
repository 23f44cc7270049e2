"""`python -m bot.worker`, the Procfile's worker: a stable path for bot.worker.process.

The in-process worker runs on gevent (bot.worker.gevent_patch): patched here, first, before any
module opens a socket or starts a thread.
"""

from __future__ import annotations

from bot.worker.gevent_patch import patch_worker_process

patch_worker_process()

from bot.worker.process import main  # noqa: E402  (after the patch, on purpose)

if __name__ == "__main__":
    main()
