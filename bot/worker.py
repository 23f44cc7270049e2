"""`python -m bot.worker`, the Procfile's worker: a stable path for bot.ops.worker."""

from __future__ import annotations

from bot.ops.worker import main

if __name__ == "__main__":
    main()
