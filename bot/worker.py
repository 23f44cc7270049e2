"""`python -m bot.worker`, the Procfile's worker: a stable path for bot.ops.worker.

The in-process worker runs on gevent (bot.ops.cooperative): patched here, first, before any
module opens a socket or starts a thread.
"""

from __future__ import annotations

from bot.ops.cooperative import patch_worker_process

patch_worker_process()

from bot.ops.worker import main  # noqa: E402  (after the patch, on purpose)

if __name__ == "__main__":
    main()
