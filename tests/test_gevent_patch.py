"""The worker's gevent patch: cooperative sockets, redis-py's readiness check on the OS's
poll, outbound HTTP on geventhttpclient (bot.worker.gevent_patch). Checked in child
processes: patching is for life."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.sms import FakeSmsGateways
from tests.helpers import wait_for
from tests.reliability.test_worker_kill import start_worker, worker_env
from tests.test_otp_jobs import CREDENTIALS, bot_for, request_code

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
from bot.worker.gevent_patch import patch_worker_process
patch_worker_process()
import select, socket, redis
from gevent import monkey
from redis._parsers import hiredis
assert monkey.is_module_patched("socket"), "sockets are not cooperative"
assert select.poll is not monkey.get_original("select", "poll"), "select is not patched"
from bot.worker.gevent_patch import ZeroWaitPoll
assert hiredis.select.poll is ZeroWaitPoll, "the parser is on gevent's poll"
assert hiredis.select.POLLIN == select.POLLIN
import gevent
client = redis.Redis.from_url(URL)
# A poll that may wait (pub/sub, as RQ's worker listens) still lets other greenlets run.
pubsub = client.pubsub()
pubsub.subscribe("nobody-publishes")
pubsub.get_message(timeout=1)
ticks = []
ticker = gevent.spawn(lambda: [ticks.append(gevent.sleep(0.05)) for _ in range(10)])
assert pubsub.get_message(timeout=0.6) is None
assert ticks, "the other greenlets were frozen while the poll waited"
ticker.kill()
client.set("k", "v")
assert all(client.get("k") == b"v" for _ in range(50))
with client.pipeline() as pipe:
    pipe.set("a", "1").get("a")
    assert pipe.execute() == [True, b"1"]
print("ok")
"""


def test_the_worker_patch_keeps_redis_working_on_the_os_poll(redis_url: str) -> None:
    script = f"URL = {redis_url!r}\n{CHECK}"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@pytest.fixture
def gateways() -> Iterator[FakeSmsGateways]:
    """The SMS gateway fakes."""
    with FakeSmsGateways() as fake:
        yield fake


def test_the_worker_sends_on_geventhttpclients_pools(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    """The real worker process sends a code: the gateway sees geventhttpclient's request."""
    app = bot_for(config, gateways, "esms")
    request_code(app)
    settings = {**config, **CREDENTIALS, **gateways.config_for("esms")}
    with start_worker(worker_env(settings)):
        wait_for(lambda: len(gateways.requests) == 1)
    (request,) = gateways.requests
    assert request.headers["User-Agent"].startswith("python/gevent-http-client")
