"""`make run`: embedded Redis (unless REDIS_URL is set), then the Procfile's web and worker.

Ctrl-C stops the web server and the worker first (honcho forwards the signal), then Redis,
so nothing is left running. Redis sits in its own session so the terminal's SIGINT does not
take it down while the worker is still finishing a job.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import click

from bot.config import local_redis_url_file
from bot.ops.embedded_redis import EmbeddedRedis, project_data_dir

DEFAULT_PORT = "8000"
SANDBOX_PORTAL_API_KEY = "sandbox-portal-key"


def announce_when_up(base_url: str, sandbox: bool, timeout_seconds: float = 60.0) -> None:
    """Poll /healthz, then print where to go (from a thread, so honcho's output flows)."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        return
    lines = [f"Bot is up: {base_url}  (health: {base_url}/healthz)"]
    if sandbox:
        lines.append(f"Sandbox mode. Open the simulator: {base_url}/simulator")
        lines.append(f"Portal demo (public API only): {base_url}/simulator/portal")
        lines.append("Or chat in the terminal: .venv/bin/flask --app wsgi chat --user u1")
    lines.append("Press Ctrl-C to stop web, worker and Redis. (LOG_LEVEL=INFO: every job.)")
    width = max(len(line) for line in lines)
    click.echo("\n" + "=" * width + "\n" + "\n".join(lines) + "\n" + "=" * width)


def honcho_command() -> list[str]:
    """honcho from this virtualenv, on the project's Procfile."""
    honcho = shutil.which("honcho") or str(Path(sys.executable).with_name("honcho"))
    return [honcho, "start", "-f", "Procfile", "web", "worker"]


def run_processes(env: dict[str, str]) -> int:
    """Run honcho until it exits; forward SIGTERM so a `kill` also stops cleanly."""
    child = subprocess.Popen(honcho_command(), env=env)
    previous = signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    interrupted = False
    try:
        while True:
            try:
                code = child.wait()
                return 0 if interrupted else code
            except KeyboardInterrupt:
                interrupted = True
                stop_if_still_running(child)
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_if_still_running(child: subprocess.Popen[bytes], grace_seconds: float = 2.0) -> None:
    """After our SIGINT: from a terminal, honcho got it too and is already stopping its
    children; when only we got it (`kill -INT <pid>`), tell honcho ourselves. Not both at
    once: a second signal makes the RQ worker abandon its job instead of finishing it."""
    try:
        child.wait(grace_seconds)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGTERM)
    except KeyboardInterrupt:
        pass


def choose_sandbox(env: dict[str, str]) -> bool:
    """Sandbox unless told otherwise or given Zalo credentials; said in BOT_SANDBOX, since
    the processes never fall into a sandbox by themselves."""
    from bot.config import CREDENTIAL_VARS

    if not env.get("BOT_SANDBOX"):
        credentials = any(env.get(name) for name in CREDENTIAL_VARS)
        env["BOT_SANDBOX"] = "0" if credentials else "1"
    return env["BOT_SANDBOX"].lower() in ("1", "true", "yes", "on")


def main() -> int:
    """Start everything, wait for Ctrl-C, stop everything."""
    # Started in the background by a shell (`make run &`), SIGINT arrives ignored: take it back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = dict(os.environ)
    env.setdefault("PORT", DEFAULT_PORT)
    # A sandbox is for this machine: not reachable from the network (set GUNICORN_BIND to share).
    env.setdefault("GUNICORN_BIND", f"127.0.0.1:{env['PORT']}")
    # The Procfile says `gunicorn` and `python`: make them this virtualenv's.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("LOG_FORMAT", "text")
    # Quiet by default: RQ logs two INFO lines per job, which bury the URL (LOG_LEVEL=INFO).
    env.setdefault("LOG_LEVEL", "WARNING")
    # Web and worker share one metrics folder, so /metrics shows the worker's counters too.
    metrics_dir = Path(os.environ.get("BOT_LOCAL_DIR", ".local")).resolve() / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    sandbox = choose_sandbox(env)
    if sandbox:  # the portal demo page needs a key; nothing is reachable anyway
        if not env.get("PORTAL_API_KEY"):
            env["PORTAL_API_KEY"] = SANDBOX_PORTAL_API_KEY
            click.echo(f"Sandbox portal API key: {SANDBOX_PORTAL_API_KEY}")
    base_url = f"http://127.0.0.1:{env['PORT']}"
    embedded, url_file = None, local_redis_url_file(env)
    if not env.get("REDIS_URL"):
        embedded = EmbeddedRedis(project_data_dir()).start()
        env["REDIS_URL"] = embedded.url
        url_file.parent.mkdir(parents=True, exist_ok=True)
        url_file.write_text(embedded.url + "\n")  # for `flask chat` in another terminal
        click.echo(f"Embedded Redis on {embedded.url} (data: {embedded.data_dir})")
    watcher = threading.Thread(target=announce_when_up, args=(base_url, sandbox), daemon=True)
    watcher.start()
    try:
        return run_processes(env)
    finally:
        if embedded is not None:
            url_file.unlink(missing_ok=True)
            embedded.stop()
            click.echo("Embedded Redis stopped.")


if __name__ == "__main__":
    sys.exit(main())
