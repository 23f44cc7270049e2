"""The end-to-end section of bench/results.md."""

from __future__ import annotations

import os

from bench.e2e import Run, percentile
from bench.fake_capacity import CLIENTS


def verdict(ok: bool) -> str:
    """A goal met or missed."""
    return "met" if ok else "MISSED"


def e2e_lines(runs: list[Run], ingest: float, plain: float, fakes: dict[int, float]) -> list[str]:
    """Table, baselines and goals."""
    lines = [
        "## End to end: SMS dialogues through the Procfile's web and worker processes",
        "",
        "gunicorn `wsgi:app` (gunicorn.conf.py) and `python -m bot.worker` (production worker "
        "class, scheduler included) against a real redis-server (AOF) and loopback fakes of the "
        "OA API and an SMS gateway answering after the latency shown; 48 concurrent dialogues "
        "per worker process (`xác thực` → number → `1` → the code read from the gateway → "
        "verified). Latencies from the webhook POST to the reply at the fake Zalo, and to the "
        "code at the fake gateway.",
        "",
        "| workers | API ms | users | events/s | verifications/s | reply p50 / p95 / p99 ms "
        "| code p50 / p95 ms | vs ingest-only | vs plain loop | worker CPU ms / event "
        "| machine busy | failed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        t, rate = run.tally, run.events_per_second
        lines.append(
            f"| {run.workers} | {run.latency_ms} | {run.users} | {rate:,.0f} | "
            f"{run.verifications_per_second:,.1f} | {percentile(t.replies, 0.5):.0f} / "
            f"{percentile(t.replies, 0.95):.0f} / {percentile(t.replies, 0.99):.0f} | "
            f"{percentile(t.codes, 0.5):.0f} / {percentile(t.codes, 0.95):.0f} | "
            f"{rate / ingest:.2f} | {rate / plain:.2f} | {run.worker_ms_per_event:.2f} | "
            f"{run.machine_busy:.0%} | {t.failures} |"
        )
    lines += ["", f"- ingest-only (webhook, no worker): **{ingest:,.0f} events/s**; plain loop "
              f"(the same handler work in one process, no web, no RQ, 0 ms API): "
              f"**{plain:,.0f} events/s**"]  # fmt: skip
    lines += [f"- the fake APIs alone, {CLIENTS} keep-alive clients: {rate:,.0f} requests/s at "
              f"{ms} ms" for ms, rate in fakes.items()]  # fmt: skip
    lines += goal_lines(runs) + [""]
    return lines


def goal_lines(runs: list[Run]) -> list[str]:
    """The issue's goals at 80 ms."""
    by = {(r.workers, r.latency_ms): r for r in runs}
    one, two = by.get((1, 80)), by.get((2, 80))
    if one is None:
        return []
    p95 = percentile(one.tally.replies, 0.95)
    lines = [
        f"- goal, 1 worker at 80 ms: ≥ 200 events/s: {verdict(one.events_per_second >= 200)} "
        f"({one.events_per_second:,.0f}); reply p95 ≤ 300 ms: {verdict(p95 <= 300)} ({p95:.0f})"
    ]
    if two is not None:
        ratio = two.events_per_second / one.events_per_second if one.events_per_second else 0
        lines.append(f"- goal, 2 workers ≥ 1.7 × 1: {verdict(ratio >= 1.7)} ({ratio:.2f} ×)")
        lines.append(
            f"  - machine busy {one.machine_busy:.0%} with 1 worker, {two.machine_busy:.0%} "
            f"with 2 (web, Redis, the fakes and the users share its {os.cpu_count()} cores); "
            f"worker CPU per event {one.worker_ms_per_event:.2f} ms with 1 worker, "
            f"{two.worker_ms_per_event:.2f} ms each with 2 (what a second worker costs the "
            f"first: nothing they wait on together)"
        )
    return lines
