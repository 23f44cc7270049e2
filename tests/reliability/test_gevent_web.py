"""The web process on gunicorn's gevent class (GUNICORN_WORKER_CLASS=gevent, a documented
choice): the app is built in the master (preload_app), so gunicorn.conf.py patches before it.
Unpatched, the locks built at preload were the OS's: two of the first requests meeting in the
served-OA registry's refresh (a Redis read under its lock) stopped the process for good."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.loadgen import run_load
from bench.webhook import webhook_requests
from tests.reliability.cluster import Processes, RedisNode, bot_env, start_web

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def test_the_webhook_on_gevent_answers_requests_that_arrive_together(
    procs: Processes, tmp_path: Path
) -> None:
    node = RedisNode(procs, tmp_path / "redis").start()
    base = start_web(procs, bot_env(REDIS_URL=node.url, GUNICORN_WORKER_CLASS="gevent"))
    port = int(base.rsplit(":", 1)[1])
    # 16 keep-alive connections sending as fast as they are answered, from their own process.
    load = run_load(port, webhook_requests(port, 2_000), connections=16, seconds=3.0)
    assert load.errors == 0
    assert load.requests >= 100, f"{load.requests} answered: the web process stopped"
