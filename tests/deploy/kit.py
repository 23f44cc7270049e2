"""Reading the deployment kit's files as the tools do: the Procfile, .env.example, units."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings, env_name

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
# Read by the processes besides the settings (README, under the configuration table).
PLATFORM_VARS = frozenset(
    {
        "PORT",
        "GUNICORN_BIND",
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_WORKER_CLASS",
        "PROMETHEUS_MULTIPROC_DIR",
        "WORKER_METRICS_PORT",
    }
)
SETTINGS_VARS = frozenset(env_name(f) for f in dataclasses.fields(Settings))
# Settings whose feature is off until they are set (no default).
OFF_UNTIL_SET = frozenset(env_name(f) for f in dataclasses.fields(Settings) if not f.default)
ASSIGNMENT = re.compile(r"([A-Z][A-Z0-9_]*)=(.*)")


@dataclass(frozen=True)
class Entry:
    """One `KEY=value` line of an environment file, with the comment above its group."""

    name: str
    value: str
    note: str

    @property
    def optional(self) -> bool:
        """The file says the value may stay empty."""
        return "Optional" in self.note


def env_entries(path: Path) -> list[Entry]:
    """The assignments of an env file in order, each with the comment just above it (lines
    assigned one after another share it)."""
    entries: list[Entry] = []
    note, after_assignment = "", False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            note, after_assignment = "", False
        elif line.startswith("#"):
            text = line.lstrip("# ")
            note = text if after_assignment else f"{note} {text}".strip()
            after_assignment = False
        else:
            match = ASSIGNMENT.fullmatch(line)
            assert match, f"not KEY=value: {line!r}"
            entries.append(Entry(match[1], match[2], note))
            after_assignment = True
    return entries


def commented_names(path: Path) -> set[str]:
    """Variables shown commented out (`# NAME=value` lines)."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line.removeprefix("# "))
        if line.startswith("# ") and match:
            names.add(match[1])
    return names


def procfile() -> dict[str, str]:
    """The Procfile's processes: name to command."""
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())
