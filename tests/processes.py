"""Processes a test starts: each in its own session, killed and reaped with all it started.

`spawn()` is the only way tests start a long-running process. At the end of the block the
process, its process group and every descendant still known get SIGKILL, and are waited for,
so a scheduler forked by a killed worker cannot outlive its test.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psutil

PR_SET_CHILD_SUBREAPER = 36
REAP_TIMEOUT_SECONDS = 10.0


@contextmanager
def spawn(command: Sequence[str], **popen_kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Popen(command) in a new session; at exit the whole family is killed and reaped."""
    process: subprocess.Popen[bytes] = subprocess.Popen(
        command, start_new_session=True, **popen_kwargs
    )
    try:
        yield process
    finally:
        kill_family(process)


def family_of(pid: int) -> list[psutil.Process]:
    """Descendants of pid and members of the process group pid leads, pid itself excluded."""
    found: dict[int, psutil.Process] = {}
    with suppress(psutil.NoSuchProcess):
        found.update((p.pid, p) for p in psutil.Process(pid).children(recursive=True))
    for candidate in psutil.process_iter():
        with suppress(OSError):  # gone meanwhile
            if os.getpgid(candidate.pid) == pid:
                found[candidate.pid] = candidate
    found.pop(pid, None)
    return list(found.values())


def kill_family(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL process, its group and its descendants; wait until every one is gone."""
    others = family_of(process.pid)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the group outlives its leader
    for member in others:
        with suppress(psutil.NoSuchProcess):
            member.kill()  # a descendant that moved to a session of its own
    process.wait(REAP_TIMEOUT_SECONDS)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    _, alive = psutil.wait_procs(others, timeout=REAP_TIMEOUT_SECONDS)
    assert alive == [], f"could not stop {[p.pid for p in alive]}"


def become_subreaper() -> None:
    """Adopt our orphaned descendants (Linux), so the leftover check can still see them."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1)


def leftover_children() -> list[psutil.Process]:
    """Our descendants still running; the dead ones are reaped on the way."""
    running = []
    for child in psutil.Process().children(recursive=True):
        with suppress(psutil.NoSuchProcess):
            if child.status() == psutil.STATUS_ZOMBIE:
                child.wait(0)  # an adopted orphan's exit status: nobody else collects it
            else:
                running.append(child)
    return running


def describe(process: psutil.Process) -> str:
    """'pid 123: python -m bot.worker', for a report."""
    with suppress(psutil.Error):
        return f"pid {process.pid}: {' '.join(process.cmdline())[:200]}"
    return f"pid {process.pid}: (gone)"
