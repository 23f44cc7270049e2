"""`make run`'s launcher: embedded Redis, web and worker up; Ctrl-C leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from bot.ops.embedded_redis import find_redis_server, free_port
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


@pytest.mark.slow
@pytest.mark.parametrize("whole_group", [True, False], ids=["ctrl-c", "kill-INT-launcher"])
def test_run_serves_health_and_ctrl_c_leaves_no_process(tmp_path: Path, whole_group: bool) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "REDIS_"))}
    env.update(PORT=str(port), BOT_LOCAL_DIR=str(tmp_path), WEB_CONCURRENCY="1")
    command = [sys.executable, "-m", "bot.ops.localrun"]
    output_to = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    # In its own process group, like a terminal's foreground job.
    with spawn(command, cwd=ROOT, env=env, **output_to) as launcher:
        family = all_up(launcher, port, tmp_path)
        if whole_group:
            os.killpg(launcher.pid, signal.SIGINT)  # what Ctrl-C does
        else:
            os.kill(launcher.pid, signal.SIGINT)  # only make's child got it
        output = launcher.communicate(timeout=60)[0].decode()
        assert launcher.returncode == 0, output
        assert "Embedded Redis stopped." in output
        # Checked inside the block: its end kills whatever is still running.
        _, alive = psutil.wait_procs(family, timeout=10)
        assert alive == [], [" ".join(p.cmdline()) for p in alive]
