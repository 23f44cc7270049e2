"""A pytest plugin: session-wide checks fail the run, with or without pytest-xdist.

A check (log leaks, leftover processes) runs in the process that ran the tests and calls
`fail_session`. Without xdist that process prints the lines and sets the exit status. An
xdist worker can do neither (the controller decides the exit status and owns the terminal),
so it sends its failures along with its `workeroutput`; the controller reports them.
"""

from __future__ import annotations

from typing import Any

import pytest

OUTPUT_KEY = "session_failures"
MAX_LINES = 20
FROM_WORKERS = pytest.StashKey[list[tuple[str, str, list[str]]]]()


def fail_session(session: pytest.Session, title: str, lines: list[str]) -> None:
    """Fail the whole run because of lines (what a session-wide check found)."""
    config: Any = session.config
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if hasattr(config, "workerinput"):  # an xdist worker: tell the controller
        config.workeroutput.setdefault(OUTPUT_KEY, []).append((title, lines))
        return
    report(session, "", title, lines)


def report(session: pytest.Session, where: str, title: str, lines: list[str]) -> None:
    """Print a failed check on the terminal."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    reporter.write("\n")  # after the progress dots
    reporter.write_line(f"{title}{where}:", red=True, bold=True)
    for line in lines[:MAX_LINES]:
        reporter.write_line("  " + line)


def pytest_configure(config: pytest.Config) -> None:
    """Nothing received from workers yet."""
    config.stash[FROM_WORKERS] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """In the xdist controller: keep what a finished worker's checks found."""
    output = getattr(node, "workeroutput", {})
    for title, lines in output.get(OUTPUT_KEY, []):
        node.config.stash[FROM_WORKERS].append((node.gateway.id, title, lines))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """In the xdist controller: the workers' failed checks fail the run."""
    for worker, title, lines in session.config.stash[FROM_WORKERS]:
        report(session, f" (xdist worker {worker})", title, lines)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
