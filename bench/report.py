"""The benchmark report: Markdown, printed and written to bench/results.md."""

from __future__ import annotations

import datetime
import os
import runpy
from pathlib import Path
from unittest import mock

from bench.latency import Latencies
from bench.webhook import WebhookFigures
from bench.worker_kill import USERS, KillFigures
from bench.worker_throughput import Throughput

ROOT = Path(__file__).resolve().parent.parent


def procfile_worker_class() -> str:
    """The worker class gunicorn.conf.py chooses when GUNICORN_WORKER_CLASS is not set."""
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_WORKER_CLASS"}
    with mock.patch.dict(os.environ, env, clear=True):
        found: str = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["worker_class"]
    return found


def verdict(ok: bool) -> str:
    """A goal met or missed."""
    return "met" if ok else "MISSED"


class Report:
    """Sections appended as they are measured."""

    def __init__(self, machine: str) -> None:
        today = datetime.date.today().isoformat()
        self.lines = [f"# Benchmarks ({today})", "", f"Machine: {machine}.", ""]

    def webhook(self, figures: list[WebhookFigures]) -> None:
        """Throughput and latency of the three routes per gunicorn worker class."""
        self.lines += [
            "## Webhook under gunicorn (load from a second process, 16 keep-alive connections)",
            "",
            "| worker class | route | req/s | p50 ms | p99 ms | errors |",
            "|---|---|---|---|---|---|",
        ]
        for f in figures:
            for name, result in (
                ("bare 200", f.bare),
                ("one RQ enqueue", f.enqueue),
                ("**/webhook** (mid-dialogue text)", f.webhook),
            ):
                self.lines.append(
                    f"| {f.worker_class} | {name} | {result.rate:,.0f} | "
                    f"{result.percentile(0.5):.1f} | {result.percentile(0.99):.1f} | "
                    f"{result.errors} |"
                )
        self.lines.append("")
        for f in figures:
            self.lines.append(
                f"- {f.worker_class}: webhook / enqueue-only = **{f.ratio_to_enqueue:.2f}** "
                f"(goal ≥ 0.8: {verdict(f.ratio_to_enqueue >= 0.8)}); "
                f"webhook / bare = {f.ratio_to_bare:.2f}"
            )
        best = max(figures, key=lambda f: f.webhook.rate)
        steadiest = min(figures, key=lambda f: f.webhook.percentile(0.99))
        self.lines += [
            "",
            f"Fastest webhook: **{best.worker_class}**; lowest webhook p99: "
            f"**{steadiest.worker_class}**. The Procfile runs `{procfile_worker_class()}` "
            "(gunicorn.conf.py; the README's deployment section says why).",
            "",
        ]

    def roundtrips(self, found: dict[str, tuple[float, float]]) -> None:
        """Round trips per event."""
        self.lines += [
            "## Redis round trips per inbound event",
            "",
            "Counted at the socket (a pipeline or a script is one round trip). The worker "
            "column counts the stages served inline (serve_due: claims, turns, sends), the "
            "way the worker's runners serve them.",
            "",
            "| event | webhook | worker |",
            "|---|---|---|",
        ]
        for name, (web, work) in found.items():
            self.lines.append(f"| {name} | {web:.0f} | {work:.0f} |")
        mid = found["text, mid-dialogue"][0]
        self.lines += [
            "",
            f"Mid-dialogue text in the webhook: {mid:.0f} (goal ≤ 3: {verdict(mid <= 3)}).",
            "",
        ]

    def latency(self, found: tuple[Latencies, Latencies]) -> None:
        """Webhook receipt to the SMS gateway."""
        bot, direct = found
        self.lines += [
            "## From webhook receipt to the code at the SMS gateway (warm worker, loopback)",
            "",
            "The worker's codes runner sends the code (the stages have no other engine since "
            "the engine rework, so the former WORKER_CLASS=simple/fork rows are gone).",
            "",
            "| how | p50 ms | p95 ms | direct provider call p50 / p95 ms |",
            "|---|---|---|---|",
            f"| worker process (codes runner) | {bot.percentile(0.5):.1f} | "
            f"{bot.percentile(0.95):.1f} | "
            f"{direct.percentile(0.5):.1f} / {direct.percentile(0.95):.1f} |",
            "",
            f"p95: {bot.percentile(0.95):.1f} ms (goal < 100 ms: "
            f"{verdict(bot.percentile(0.95) < 100)}).",
            "",
        ]

    def throughput(self, t: Throughput) -> None:
        """Replies per second."""
        self.lines += [
            "## Replies per second against a zero-latency fake Zalo",
            "",
            "The messages stage in the benchmark's own process (the fake Zalo's threads beside "
            "them): inline, one user after the other (as serve_due does), and in the stage's own "
            "pool of threads (as the worker's runner does). The production worker is measured "
            "end to end, above.",
            "",
            "| how | messages/s | vs plain loop |",
            "|---|---|---|",
            f"| plain loop calling OAClient.send_text | {t.plain_loop:,.0f} | 1.00 |",
            f"| messages stage, inline (serve_due) | {t.inline_runner:,.0f} | "
            f"{t.inline_runner / t.plain_loop:.2f} |",
            f"| messages stage, its pool of threads | {t.pooled_runner:,.0f} | "
            f"{t.pooled_runner / t.plain_loop:.2f} |",
            "",
        ]

    def worker_kill(self, k: KillFigures) -> None:
        """Seconds from a killed worker to the last reply it stranded."""
        self.lines += [
            "## A worker killed mid-burst (kill -9, then restarted)",
            "",
            f"- {USERS} users, 2 messages each, 80 ms per API call; {k.stranded} replies "
            f"stranded: the last went out **{k.seconds_to_last_reply:.1f} s** after the kill "
            f"(the new worker's start-up included: alone, {k.start_up:.1f} s to its first "
            f"reply; goal: every user served within 10 s, "
            f"{verdict(k.seconds_to_last_reply <= 10)})",
            "",
        ]

    def memory(self, account: float, conversation: float) -> None:
        """Bytes per record."""
        self.lines += [
            "## Redis memory (100,000 of each, INFO used_memory delta)",
            "",
            "Measured as the growth of `used_memory` rather than `MEMORY USAGE` of keys: accounts "
            "live in bucketed hashes (many accounts per key), so no key is one account, and the "
            "delta also counts the keyspace's own overhead.",
            "",
            f"- per verified account (record + phone and app-id indexes): **{account:.0f} B** "
            f"(goal ≤ 200: {verdict(account <= 200)})",
            f"- per active conversation (state + delivery history): **{conversation:.0f} B** "
            f"(goal ≤ 600: {verdict(conversation <= 600)})",
            "",
        ]

    def footer(self, seconds: float) -> None:
        """How long the run took, and the machine's load at its end."""
        load = " ".join(f"{n:.2f}" for n in os.getloadavg())
        self.lines.append(f"Whole run: {seconds:.0f} s; load average (1, 5, 15 min) at the end: "
                          f"{load}.")  # fmt: skip

    def render(self) -> str:
        """The Markdown text."""
        return "\n".join(self.lines) + "\n"
