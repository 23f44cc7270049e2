"""A pytest plugin: no code, token, secret or full phone number in any log line of the suite.

Every log record of the whole session is kept (formatted, with tracebacks). Tests register
the codes they see (tests.helpers.last_code does) and the fakes' credentials; at the end of
the session, any log line containing one of them, or an unmasked phone number, fails the run.
"""

from __future__ import annotations

import logging
import re

import pytest

from tests.session_failures import fail_session

SEEN_SECRETS: set[str] = set()
CODE_TOKEN = re.compile(r"(?<![0-9A-Za-z])\d{6}(?![0-9A-Za-z])")
# bot.masking.PHONE_IN_TEXT's numbers, but standing alone: a worker's hex name
# ('...aa0090048600d5...') holds digit runs that look like numbers and are not.
PHONE_TOKEN = re.compile(r"(?<![0-9A-Za-z*])(\+\d{8,14}|84\d{9}|0\d{9})(?![0-9A-Za-z])")
RECORDS: list[str] = []
# What every LogRecord has; anything else came as `extra=` (RQ passes a failed job's
# arguments that way, and a JSON formatter writes them out).
STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class KeepEverything(logging.Handler):
    """Keeps every formatted record."""

    def emit(self, record: logging.LogRecord) -> None:
        """Store the message and any traceback (tests' own demo loggers excepted)."""
        if record.name.startswith("tests."):
            return
        try:
            text = record.getMessage()
        except Exception:  # a broken record is not our concern here
            text = str(record.msg)
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        RECORDS.append(f"{record.name}: {text}{extras_of(record)}")


def extras_of(record: logging.LogRecord) -> str:
    """The record's `extra=` fields as ' name=repr' (what a JSON log line would also show)."""
    extra = {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRIBUTES}
    return "".join(f" {key}={value!r}" for key, value in sorted(extra.items()))


def remember(*secrets: str) -> None:
    """Register values that must never be logged (codes, tokens, keys)."""
    SEEN_SECRETS.update(s for s in secrets if s)


def leak_in(line: str, codes: set[str], others: set[str]) -> str | None:
    """What leaks in line (the secret or phone, shown around its place), else None."""
    # A code stands alone; six digits inside a job id's hex ('a123456f') are not one.
    hits = [m for m in CODE_TOKEN.finditer(line) if m.group() in codes]
    hits += [m for s in others for m in re.finditer(re.escape(s), line)]
    hits += list(PHONE_TOKEN.finditer(line))
    if not hits:
        return None
    start = max(0, hits[0].start() - 120)
    return f"{line[:80]} ... {line[start : hits[0].end() + 40]}"


def leaks() -> list[str]:
    """Log lines that contain a registered secret or an unmasked phone number."""
    codes = {s for s in SEEN_SECRETS if s.isdigit()}
    others = SEEN_SECRETS - codes
    found = (leak_in(line, codes, others) for line in RECORDS)
    return [leak for leak in found if leak is not None]


def pytest_configure(config: pytest.Config) -> None:
    """Start keeping records before any test runs."""
    handler = KeepEverything(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    config.stash[HANDLER] = handler


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the session when a log line of this process leaked something."""
    found = leaks()
    if found:
        title = f"LEAK CHECK: {len(found)} log line(s) leak secrets or phones"
        fail_session(session, title, found)


HANDLER = pytest.StashKey[logging.Handler]()
