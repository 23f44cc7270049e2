"""`python -m bench profile`: where the web and the worker spend their CPU under the
end-to-end load (1 worker, 80 ms API, 48 dialogues), sampled by py-spy (requirements-dev).

Prints, per process kind, the functions most often running Python (self; samples holding the
GIL, so neither system calls nor waits for a core count), most often on the stack
(inclusive) and the bot's own functions the samples fall under, as shares of the samples, and
writes them to bench/profile.md; the flame graphs' raw stacks stay in a folder it names.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil
import redis

from bench.dialogues import drive
from bench.e2e import USERS_PER_WORKER, WARMUP_SECONDS, bot_env, web_processes
from bench.fakes import FakeServer
from bench.servers import gunicorn, rq_workers
from bot.ops.embedded_redis import EmbeddedRedis

SECONDS = 10
RESULTS = Path(__file__).parent / "profile.md"
TOP = 15
LINE_NUMBER = re.compile(r":\d+\)$")
# The project's own code: a sample counts for the deepest of its frames on the stack.
OWN_CODE = ("(bot/", "(handlers/", "(zalo_api/")


def py_spy() -> str:
    """py-spy beside this Python, else on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        sys.exit("py-spy is not installed (requirements-dev.txt)")
    return found


def record(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling pid and its children for SECONDS, collapsed stacks to out."""
    # --gil: a sample only of a thread holding the GIL, so running Python. Without it py-spy
    # also counts a thread the kernel has preempted, or one inside a system call: the worker
    # showed 27 % of its samples in socket send() while the kernel had 5 % of its CPU time.
    command = [py_spy(), "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--gil",
               "--duration", str(SECONDS), "--format", "raw", "--output", str(out)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def frame_name(frame: str) -> str:
    """'function (path/module.py:12)' without its line number."""
    return LINE_NUMBER.sub(")", frame.strip())


def top_items(raw: Path) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    """(samples, self counts, inclusive counts, counts of the deepest own frame) by function."""
    total, own, inclusive, ours = 0, Counter[str](), Counter[str](), Counter[str]()
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [frame_name(f) for f in stack.split(";")]
        # The first frame is the process/thread py-spy names; the last is on CPU.
        total += int(count)
        own[frames[-1]] += int(count)
        for name in set(frames[1:]):
            inclusive[name] += int(count)
        mine = [f for f in frames[1:] if any(part in f for part in OWN_CODE)]
        ours[mine[-1] if mine else "(no frame of the bot's: server, hub, runtime)"] += int(count)
    return total, own, inclusive, ours


def lines_of(kind: str, raw: Path) -> list[str]:
    """The top items of one process kind as Markdown."""
    total, own, inclusive, ours = top_items(raw)
    lines = [f"### {kind}: {total} samples holding the GIL", ""]
    lines += ["| self % | function |", "|---|---|"]
    lines += [f"| {100 * n / total:.1f} | `{name}` |" for name, n in own.most_common(TOP)]
    lines += ["", "| inclusive % | function |", "|---|---|"]
    lines += [f"| {100 * n / total:.1f} | `{name}` |" for name, n in inclusive.most_common(TOP)]
    lines += ["", "| % under | the bot's deepest function on the stack |", "|---|---|"]
    lines += [f"| {100 * n / total:.1f} | `{name}` |" for name, n in ours.most_common(TOP)]
    return [*lines, ""]


def profile() -> None:
    """Run the load, sample both processes, print the tables."""
    folder = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    with EmbeddedRedis(folder, appendonly=True) as server, FakeServer(0.08) as fake:
        redis.Redis.from_url(server.url).flushall()
        env = bot_env(fake, server.url)
        with gunicorn(env, app="wsgi:app") as port, rq_workers(env, 1) as workers:
            drive(port, fake, USERS_PER_WORKER, WARMUP_SECONDS)
            web = web_processes()[0]
            samplers = [record(web.pid, folder / "web.txt"),
                        record(workers[0].pid, folder / "worker.txt")]  # fmt: skip
            tally, seconds = drive(port, fake, USERS_PER_WORKER, SECONDS + 1)
            for sampler in samplers:
                sampler.wait(60)
    rate = tally.events / seconds
    load = " ".join(f"{n:.2f}" for n in psutil.getloadavg())
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"# Profile (`python -m bench profile`, {when})",
             "", f"py-spy --gil, {SECONDS} s, 1 worker, 80 ms API, {USERS_PER_WORKER} dialogues: "
             f"{rate:,.0f} events/s while sampled (sampling slows both); load average {load}.",
             ""]  # fmt: skip
    for kind, name in (("web (gunicorn wsgi:app)", "web.txt"), ("worker", "worker.txt")):
        lines += lines_of(kind, folder / name)
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    print(f"Raw stacks (flame graphs: speedscope or flamegraph.pl): {folder}")
