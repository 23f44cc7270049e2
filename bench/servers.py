"""The processes a benchmark needs: Redis, gunicorn with the Procfile's settings, a worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.ops.embedded_redis import free_port

ROOT = Path(__file__).parents[1]


def wait_http(url: str, seconds: float = 30.0) -> None:
    """Until url answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def gunicorn(
    env: dict[str, str], worker_class: str | None = None, app: str = "bench.wsgi_app:app"
) -> Iterator[int]:
    """gunicorn on a free port with gunicorn.conf.py (the Procfile's web), serving app (the
    bot plus the baseline routes unless told `wsgi:app`, the Procfile's own); worker_class
    overrides GUNICORN_WORKER_CLASS for a comparison."""
    port = free_port()
    full = {**os.environ, **env, "PORT": str(port)}
    if worker_class is not None:
        full["GUNICORN_WORKER_CLASS"] = worker_class
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "gunicorn.conf.py",
        app,
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        yield port
    finally:
        process.terminate()
        process.wait(30)


@contextmanager
def rq_worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """The Procfile's worker (`python -m bot.worker`)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.worker"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(30)


@contextmanager
def rq_workers(env: dict[str, str], count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """count Procfile workers (`python -m bot.worker`), stopped warmly (SIGTERM) at the end."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.worker"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
