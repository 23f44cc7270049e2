"""A pytest plugin: the session fails if a process it started is still running at its end.

Each process that runs tests (the only one, or each xdist worker) adopts its orphaned
descendants (Linux), so a grandchild whose parent was killed is still seen here. What is
found is reported, then killed, so a failed run leaves nothing behind either.
"""

from __future__ import annotations

from contextlib import suppress

import psutil
import pytest

from tests.processes import REAP_TIMEOUT_SECONDS, become_subreaper, describe, leftover_children
from tests.session_failures import fail_session


def runs_tests(config: pytest.Config) -> bool:
    """False in the xdist controller, whose children are the workers."""
    return not config.pluginmanager.has_plugin("dsession")


def pytest_configure(config: pytest.Config) -> None:
    """Adopt orphans from the start."""
    if runs_tests(config):
        become_subreaper()


@pytest.hookimpl(trylast=True)  # after the session fixtures' teardown (their redis-server)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run when a child process is still alive, then stop it."""
    if not runs_tests(session.config):
        return
    left = leftover_children()
    if not left:
        return
    title = f"LEFTOVER PROCESSES: {len(left)} still running after the last test"
    fail_session(session, title, [describe(p) for p in left])
    for process in left:
        with suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(left, timeout=REAP_TIMEOUT_SECONDS)
