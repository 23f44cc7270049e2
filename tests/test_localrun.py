"""`make run`'s launcher: embedded Redis, web and worker up; Ctrl-C leaves nothing behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from pathlib import Path
from typing import IO

import psutil
import pytest
from pytest_httpserver import HTTPServer

from bot.ops.embedded_redis import find_redis_server, free_port
from bot.ops.localrun import RUN_HEADER, ours_answers, wait_until_up
from tests.processes import spawn

ROOT = Path(__file__).parents[1]


def wait_for_health(url: str, timeout_seconds: float = 60.0) -> dict[str, object]:
    """Poll url until it answers 200; return the JSON-less status line."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                return {"status": answer.status, "body": answer.read().decode()}
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout_seconds} s")


def all_up(launcher: subprocess.Popen[bytes], port: int, data_dir: Path) -> list[psutil.Process]:
    """Check web, worker and Redis answer and persist; return the launcher's descendants."""
    health = wait_for_health(f"http://127.0.0.1:{port}/healthz")
    assert health["status"] == 200
    ready = wait_for_health(f"http://127.0.0.1:{port}/readyz")
    assert '"redis":"ok"' in str(ready["body"])
    family = psutil.Process(launcher.pid).children(recursive=True)
    names = " ".join(" ".join(p.cmdline()) for p in family)
    assert Path(find_redis_server()).name in names and "gunicorn" in names and "bot.worker" in names
    assert (data_dir / "redis" / "appendonlydir").exists() or any(
        p.name.endswith(".aof") for p in (data_dir / "redis").iterdir()
    )
    return family


def run_env(tmp_path: Path, port: int) -> dict[str, str]:
    """make run's environment: no credentials (a sandbox), no Redis (the embedded one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "REDIS_", "BOT_"))}
    env.update(PORT=str(port), BOT_LOCAL_DIR=str(tmp_path), WEB_CONCURRENCY="1")
    env["PYTHONUNBUFFERED"] = "1"  # the launcher's lines as they come
    return env


def read_until(stream: IO[bytes], text: str) -> str:
    """The launcher's output up to the line holding text (the test's timeout bounds it)."""
    lines: list[str] = []
    while not lines or text not in lines[-1]:
        line = stream.readline().decode()
        assert line, "".join(lines)  # the launcher ended first
        lines.append(line)
    return "".join(lines)


def still_running(groups: set[int]) -> list[str]:
    """Live processes (zombies are dead) in any of these process groups."""
    found = []
    for process in psutil.process_iter():
        with suppress(psutil.Error, OSError):
            if os.getpgid(process.pid) in groups and process.status() != psutil.STATUS_ZOMBIE:
                found.append(" ".join(process.cmdline()))
    return found


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "whole_group"),
    [(signal.SIGINT, True), (signal.SIGINT, False), (signal.SIGHUP, True), (signal.SIGTERM, False)],
    ids=["ctrl-c", "kill-INT-launcher", "terminal-closed", "kill-launcher"],
)
def test_run_serves_health_and_any_stop_signal_leaves_no_process(
    tmp_path: Path, signum: int, whole_group: bool
) -> None:
    port = free_port()
    command = [sys.executable, "-m", "bot.ops.localrun"]
    output_to = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    # In its own process group, like a terminal's foreground job.
    with spawn(command, cwd=ROOT, env=run_env(tmp_path, port), **output_to) as launcher:
        assert launcher.stdout is not None
        seen = read_until(launcher.stdout, "Bot is up")
        family = all_up(launcher, port, tmp_path)
        groups = {launcher.pid} | {os.getpgid(p.pid) for p in family}
        if whole_group:
            os.killpg(launcher.pid, signum)  # what Ctrl-C, or closing the terminal, does
        else:
            os.kill(launcher.pid, signum)  # only make's child got it
        output = seen + launcher.communicate(timeout=60)[0].decode()
        assert launcher.returncode == 0, output
        assert "Embedded Redis stopped." in output
        assert "export PORTAL_API_KEY=sandbox-portal-key" in output  # for the README's curl
        # Checked inside the block: its end kills whatever is still running.
        _, alive = psutil.wait_procs(family, timeout=10)
        assert alive == [], [" ".join(p.cmdline()) for p in alive]
        assert still_running(groups) == []


def test_a_taken_port_is_named_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = run_env(tmp_path, port)
        done = subprocess.run(
            [sys.executable, "-m", "bot.ops.localrun"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 1
    assert f"port {port} is already in use by pid {os.getpid()} (" in done.stderr
    assert f"PORT={port + 1} make run" in done.stderr
    assert "Embedded Redis" not in done.stdout and not (tmp_path / "redis").exists()


def test_bot_is_up_only_when_this_runs_web_process_answers(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/healthz").respond_with_json(
        {"status": "ok"}, headers={RUN_HEADER: "another-run"}
    )
    base_url = httpserver.url_for("").rstrip("/")
    assert not ours_answers(base_url, "this-run")
    assert not wait_until_up(base_url, "this-run", alive=lambda: False)  # the run ended
    assert ours_answers(base_url, "another-run")
