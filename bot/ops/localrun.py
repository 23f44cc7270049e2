"""`make run`: embedded Redis (unless REDIS_URL is set), then the Procfile's web and worker.

Nothing starts when the web port is taken (the holder is named). Ctrl-C, closing the
terminal and `kill` stop the web server and the worker first (bot.ops.supervise), then
Redis, so nothing is left running. Redis sits in its own session so the terminal's signals
do not take it down while the worker is still finishing a job.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import click

from bot.config import CREDENTIAL_VARS, local_redis_url_file
from bot.ops.embedded_redis import EmbeddedRedis, project_data_dir
from bot.ops.ports import PortInUse, check_free, split_bind
from bot.ops.supervise import RUN_ID_VAR, Supervisor, new_run_id, say

DEFAULT_PORT = "8000"
SANDBOX_PORTAL_API_KEY = "sandbox-portal-key"
RUN_HEADER = "X-Bot-Run"


def ours_answers(base_url: str, run_id: str) -> bool:
    """Whether /healthz answers from this run's web process (not one left from another)."""
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as answer:
            return bool(answer.status == 200 and answer.headers.get(RUN_HEADER) == run_id)
    except OSError:
        return False


def wait_until_up(
    base_url: str, run_id: str, alive: Callable[[], bool], timeout_seconds: float = 60.0
) -> bool:
    """Poll until our own web process answers; False if the run ends or time runs out."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline and alive():
        if ours_answers(base_url, run_id):
            return True
        time.sleep(0.3)
    return False


def announce(base_url: str, sandbox: bool) -> None:
    """Where to go, framed so it stands out of honcho's output."""
    lines = [f"Bot is up: {base_url}  (health: {base_url}/healthz)"]
    if sandbox:
        lines.append(f"Sandbox mode. Open the simulator: {base_url}/simulator")
        lines.append(f"Portal demo (public API only): {base_url}/simulator/portal")
        lines.append(
            "Or chat in the terminal: BOT_SANDBOX=1 .venv/bin/flask --app wsgi chat --user u1"
        )
    lines.append("Press Ctrl-C to stop web, worker and Redis. (LOG_LEVEL=INFO: every job.)")
    width = max(len(line) for line in lines)
    say("\n" + "=" * width + "\n" + "\n".join(lines) + "\n" + "=" * width)


def portal_key_lines(key: str) -> str:
    """The sandbox's portal key as a line to paste before the README's curl examples."""
    return f"Sandbox portal API key. For curl, in another terminal:\n  export PORTAL_API_KEY={key}"


def choose_sandbox(env: dict[str, str]) -> bool:
    """Sandbox unless told otherwise or given Zalo credentials; said in BOT_SANDBOX, since
    the processes never fall into a sandbox by themselves."""
    if not env.get("BOT_SANDBOX"):
        credentials = any(env.get(name) for name in CREDENTIAL_VARS)
        env["BOT_SANDBOX"] = "0" if credentials else "1"
    return env["BOT_SANDBOX"].lower() in ("1", "true", "yes", "on")


def run_environment() -> dict[str, str]:
    """The Procfile processes' environment: this virtualenv, quiet logs, shared metrics."""
    env = dict(os.environ)
    env.setdefault("PORT", DEFAULT_PORT)
    # A sandbox is for this machine: not reachable from the network (set GUNICORN_BIND to share).
    env.setdefault("GUNICORN_BIND", f"127.0.0.1:{env['PORT']}")
    # The Procfile says `gunicorn` and `python`: make them this virtualenv's.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("LOG_FORMAT", "text")
    # Quiet by default: RQ logs two INFO lines per job, which bury the URL (LOG_LEVEL=INFO).
    env.setdefault("LOG_LEVEL", "WARNING")
    env[RUN_ID_VAR] = new_run_id()
    return env


def fresh_metrics_dir(env: dict[str, str]) -> None:
    """Web and worker share one metrics folder, so /metrics shows the worker's counters too."""
    metrics_dir = Path(os.environ.get("BOT_LOCAL_DIR", ".local")).resolve() / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))


def port_taken(env: dict[str, str]) -> str:
    """Why the web server could not listen ('' when it can), said before anything starts."""
    bind = split_bind(env["GUNICORN_BIND"])
    if bind is None:
        return ""
    try:
        check_free(*bind)
    except PortInUse as exc:
        return f"{exc}: stop it, or choose another port (PORT={bind[1] + 1} make run)"
    return ""


def main() -> int:
    """Start everything, wait for Ctrl-C (or a hang-up, or a kill), stop everything."""
    # Started in the background by a shell (`make run &`), SIGINT arrives ignored: take it back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = run_environment()
    taken = port_taken(env)
    if taken:
        click.echo(f"make run: {taken}", err=True)
        return 1
    fresh_metrics_dir(env)
    sandbox = choose_sandbox(env)
    if sandbox and not env.get("PORTAL_API_KEY"):  # the portal demo page needs a key
        env["PORTAL_API_KEY"] = SANDBOX_PORTAL_API_KEY
        click.echo(portal_key_lines(SANDBOX_PORTAL_API_KEY))
    embedded, url_file = None, local_redis_url_file(env)
    try:
        if not env.get("REDIS_URL"):
            embedded = EmbeddedRedis(project_data_dir(sandbox)).start()
            env["REDIS_URL"] = embedded.url
            url_file.parent.mkdir(parents=True, exist_ok=True)
            url_file.write_text(embedded.url + "\n")  # for `flask chat` in another terminal
            click.echo(f"Embedded Redis on {embedded.url} (data: {embedded.data_dir})")
        return supervise(env, sandbox)
    finally:
        if embedded is not None:
            url_file.unlink(missing_ok=True)
            embedded.stop()
            say("Embedded Redis stopped.")


def supervise(env: dict[str, str], sandbox: bool) -> int:
    """Run web and worker; announce the URL once this run's own web process answers."""
    supervisor = Supervisor(env)
    base_url = f"http://127.0.0.1:{env['PORT']}"

    def watch() -> None:
        if wait_until_up(base_url, env[RUN_ID_VAR], supervisor.alive):
            announce(base_url, sandbox)

    threading.Thread(target=watch, daemon=True).start()
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
