"""The systemd units: valid for systemd-analyze, hardened, and running the Procfile."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.kit import DEPLOY, procfile

UNITS = {"web": "zalo-bot-web.service", "worker": "zalo-bot-worker.service"}
VENV_BIN = "/opt/zalo-bot/venv/bin/"
needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed (apt-get install systemd; .ci/run does as root)",
)


def directives(unit: str) -> dict[str, list[str]]:
    """Every `Key=value` of a unit file, by key (a key may be given more than once)."""
    found: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / unit).read_text(encoding="utf-8").splitlines():
        if re.match(r"[A-Za-z]+=", line):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def installed_copies(tmp_path: Path) -> list[Path]:
    """The units as installed, their commands in this test's virtualenv (verify checks that
    every command exists)."""
    copies = []
    for unit in UNITS.values():
        text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
        copy = tmp_path / unit
        copy.write_text(text.replace(VENV_BIN, f"{Path(sys.executable).parent}/"))
        copies.append(copy)
    return copies


@pytest.mark.parametrize("process", UNITS)
def test_a_unit_runs_its_procfile_command_as_the_bot_user(process: str) -> None:
    found = directives(UNITS[process])
    (command,) = found["ExecStart"]
    assert shlex.split(command.removeprefix(VENV_BIN)) == shlex.split(procfile()[process])
    assert found["User"] == ["zalo-bot"] and found["EnvironmentFile"] == ["/etc/zalo-bot/env"]
    assert found["Restart"] == ["on-failure"] and found["RestartPreventExitStatus"] == ["2"]
    assert found["KillMode"] == ["mixed"] and int(found["TimeoutStopSec"][0]) >= 30
    assert found["ProtectSystem"] == ["strict"] and found["NoNewPrivileges"] == ["yes"]


@needs_systemd_analyze
def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    copies = installed_copies(tmp_path)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, copies)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Warnings (an unknown key, a bad value) do not change the exit status: read them too.
    about_ours = [line for line in done.stderr.splitlines() if "zalo-bot-" in line]
    assert done.returncode == 0 and not about_ours, done.stderr


@needs_systemd_analyze
def test_the_units_expose_little(tmp_path: Path) -> None:
    usage = subprocess.run(
        ["systemd-analyze", "security", "--help"], capture_output=True, text=True, timeout=30
    )
    if "--offline" not in usage.stdout:
        pytest.skip("this systemd-analyze has no `security --offline` (systemd < 252)")
    for copy in installed_copies(tmp_path):
        done = subprocess.run(
            ["systemd-analyze", "security", "--offline=true", str(copy)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        level = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", done.stdout)
        assert level, done.stdout + done.stderr
        # systemd's own scale: below 2 is "OK" (10 is an unconfined service).
        assert float(level[1]) < 2.0 and level[2] == "OK", level[0]
