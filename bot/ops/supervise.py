"""`make run`'s processes: honcho on the Procfile, in a session of its own, stopped once.

The terminal's signals reach only the launcher: Ctrl-C (SIGINT), closing the terminal
(SIGHUP) and `kill` (SIGTERM) all become one SIGTERM to honcho, which stops web and worker.
(A second signal to the RQ worker would make it abandon its job; a SIGHUP to gunicorn only
reloads it, and honcho itself would die of one, leaving both behind.) Every process of the
run carries BOT_RUN_ID in its environment: whatever outlives honcho is found by it and stopped.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from contextlib import suppress
from pathlib import Path
from types import FrameType

import click
import psutil

from bot.ops.embedded_redis import die_with_parent

RUN_ID_VAR = "BOT_RUN_ID"
STOP_SIGNALS = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)
LEFTOVER_GRACE_SECONDS = 10.0


def new_run_id() -> str:
    """A nonce for this run: /healthz echoes it, leftovers are found by it."""
    return secrets.token_hex(8)


def say(text: str) -> None:
    """Print, unless the terminal is gone (after SIGHUP a write fails with EIO)."""
    with suppress(OSError):
        click.echo(text)


def honcho_command() -> list[str]:
    """honcho from this virtualenv, on the project's Procfile."""
    honcho = shutil.which("honcho") or str(Path(sys.executable).with_name("honcho"))
    return [honcho, "start", "-f", "Procfile", "web", "worker"]


class Supervisor:
    """Runs honcho until it exits, and stops it once on the first stop signal."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.stopping = threading.Event()
        self.child: subprocess.Popen[bytes] | None = None

    def run(self) -> int:
        """honcho's exit code (0 when we stopped it); nothing of the run is left running."""
        previous = {signum: signal.signal(signum, self.stop) for signum in STOP_SIGNALS}
        try:
            self.child = subprocess.Popen(
                honcho_command(), env=self.env, start_new_session=True, preexec_fn=die_with_parent
            )
            if self.stopping.is_set():  # a signal came while honcho was starting
                self.child.send_signal(signal.SIGTERM)
            code = self.child.wait()
        finally:
            stop_leftovers(self.env[RUN_ID_VAR])
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return 0 if self.stopping.is_set() else code

    def alive(self) -> bool:
        """Whether honcho runs (or is about to) and nobody asked it to stop."""
        running = self.child is None or self.child.poll() is None
        return running and not self.stopping.is_set()

    def stop(self, signum: int, _frame: FrameType | None = None) -> None:
        """The first stop signal: one SIGTERM to honcho; later ones change nothing."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)
        say(f"\n{signal.Signals(signum).name}: stopping web, worker and Redis...")


def stop_leftovers(run_id: str, grace_seconds: float = LEFTOVER_GRACE_SECONDS) -> None:
    """SIGTERM every process of this run still alive (honcho killed, say), then SIGKILL."""
    found = [p for p in psutil.process_iter() if p.pid != os.getpid() and of_run(p, run_id)]
    for process in found:
        with suppress(psutil.Error):
            process.terminate()
    _, alive = psutil.wait_procs(found, timeout=grace_seconds)
    for process in alive:
        with suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=grace_seconds)


def of_run(process: psutil.Process, run_id: str) -> bool:
    """Whether process was started by this run (its environment holds the run's id)."""
    try:
        return bool(process.environ().get(RUN_ID_VAR) == run_id)
    except psutil.Error:
        return False
