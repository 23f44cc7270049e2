"""The gevent worker's pooled calls (zalo_api.gevent_pools): the pooled-call, transport and
SMS gateway tests again, in a child process patched as the worker is (patching is for life),
where every pooled call goes on geventhttpclient's pools."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
MODULES = (
    "tests/zalo_api/test_pooled_call.py",
    "tests/zalo_api/test_zalo_transport.py",
    "tests/sms/test_sms_paths.py",
)
# pytest in the patched child; then how many clients its pools made (one per host and
# settings): none would mean the calls went elsewhere.
CHILD = """
import sys
from bot.worker.gevent_patch import patch_worker_process
patch_worker_process()
import pytest
from zalo_api import transport
from zalo_api.gevent_pools import GeventPools
pools = transport.exchange.__self__
assert isinstance(pools, GeventPools), transport.exchange
code = pytest.main(["-q", "-p", "no:randomly", "-p", "no:cacheprovider", *sys.argv[1:]])
print("CLIENTS", len(pools.clients))
sys.exit(code)
"""


def test_the_pooled_call_tests_pass_on_the_gevent_pools() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *MODULES], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=100,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    clients = int(done.stdout.rpartition("CLIENTS ")[2].split()[0])
    assert clients >= 10, done.stdout[-2000:]
