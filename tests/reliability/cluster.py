"""Real processes for fault tests: redis-servers, Sentinels, the Procfile's web and workers.

Every process starts in its own process group (session) and is killed with its children
at teardown, so a failing test leaves nothing running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.ops.embedded_redis import find_redis_server, free_port

ROOT = Path(__file__).parents[2]


class Processes:
    """The processes a test started; kill_all() ends each group, children included."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start argv in its own session, output to logs/<name>.log."""
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / f"{name}.log").open("ab") as out:
            process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """Send sig to process's whole group and wait for the process."""
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def kill_all(self) -> None:
        """SIGKILL every group started, newest first."""
        for process in reversed(self.started):
            self.kill(process)


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Processes]:
    """Processes of this test, killed (whole groups) at teardown."""
    started = Processes(tmp_path / "logs")
    yield started
    started.kill_all()


def bot_env(**extra: str) -> dict[str, str]:
    """The environment of every bot process: sandbox, no shared metrics folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "PROMETHEUS"))}
    return {**env, "BOT_SANDBOX": "1", "LOG_FORMAT": "text", "LOG_LEVEL": "WARNING",
            "SMS_GLOBAL_PER_MINUTE": "10000", **extra}  # fmt: skip


class RedisNode:
    """One redis-server (AOF on) on a free loopback port, restartable on the same data."""

    def __init__(self, procs: Processes, data: Path, *extra: str, fsync: str = "everysec") -> None:
        self.procs, self.data, self.extra, self.fsync = procs, data, list(extra), fsync
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The REDIS_URL of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisNode:
        """Start and wait until it answers PING (and has loaded its AOF)."""
        self.data.mkdir(parents=True, exist_ok=True)
        argv = [find_redis_server(), "--bind", "127.0.0.1", "--port", str(self.port),
                "--dir", str(self.data), "--appendonly", "yes", "--appendfsync", self.fsync,
                "--save", "", *self.extra]  # fmt: skip
        self.process = self.procs.start(f"redis-{self.port}", argv, dict(os.environ))
        wait_until(lambda: ping(self.url), f"redis {self.port} up")
        return self

    def stop(self, crash: bool) -> None:
        """kill -9, or a clean SHUTDOWN (the AOF flushed)."""
        assert self.process is not None
        self.procs.kill(self.process, signal.SIGKILL if crash else signal.SIGTERM)


def start_sentinel(procs: Processes, folder: Path, primary_port: int) -> int:
    """A Sentinel (the same redis-server binary, --sentinel) watching primary as `bot`."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / f"sentinel-{port}.conf"
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {folder}\n"
        f"sentinel monitor bot 127.0.0.1 {primary_port} 2\n"
        "sentinel down-after-milliseconds bot 1000\nsentinel failover-timeout bot 4000\n"
        "sentinel parallel-syncs bot 1\n"
    )
    procs.start(
        f"sentinel-{port}", [find_redis_server(), str(conf), "--sentinel"], dict(os.environ)
    )
    wait_until(lambda: ping(f"redis://127.0.0.1:{port}/0"), f"sentinel {port} up")
    return port


def start_web(procs: Processes, env: dict[str, str], name: str = "web") -> str:
    """The Procfile's web process (gunicorn, one process of 4 threads); its base URL."""
    port = free_port()
    web_env = {**env, "PORT": str(port), "GUNICORN_BIND": f"127.0.0.1:{port}",
               "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4"}  # fmt: skip
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    procs.start(name, [gunicorn, "--config", "gunicorn.conf.py", "wsgi:app"], web_env)
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: healthy(base), f"{name} up", seconds=30)
    return base


def start_worker(procs: Processes, env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    """The Procfile's worker process (`python -m bot.worker`, scheduler included)."""
    return procs.start(name, [sys.executable, "-m", "bot.worker"], env)


def ping(url: str) -> bool:
    """Whether the Redis at url answers (not loading)."""
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def healthy(base: str) -> bool:
    """Whether the web process answers /healthz."""
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def wait_until(condition: object, what: str, seconds: float = 20.0) -> None:
    """A bounded wait for condition() (a callable), failing with what."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not in time: {what}"
        time.sleep(0.05)
