"""The end-to-end section of bench/results.md."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bench.e2e import Run, percentile
from bench.fake_capacity import CLIENTS


@dataclass
class Baselines:
    """What the bot is held to, measured in the same invocation."""

    toy: Run  # bench.toy at 80 ms
    ingest: float  # webhook events/s with no worker
    plain: float  # bench.plain_loop events/s
    fakes: dict[int, float]  # the fakes' own requests/s by latency
    traced: Run  # 1 worker at 80 ms under MONITOR, for the timeline
    paced: list[tuple[Run, Run]] = field(default_factory=list)  # (1 worker, toy) by pace
    traced_paced: Run | None = None  # the last pace's 1 worker under MONITOR


def verdict(ok: bool) -> str:
    """A goal met or missed."""
    return "met" if ok else "MISSED"


def e2e_lines(runs: list[Run], base: Baselines) -> list[str]:
    """Tables, baselines, the trace and the goals."""
    lines = [
        "## End to end: SMS dialogues through the Procfile's web and worker processes",
        "",
        "gunicorn `wsgi:app` (gunicorn.conf.py) and `python -m bot.worker` (production worker "
        "class, scheduler included) against a real redis-server (AOF) and loopback fakes of the "
        "OA API and an SMS gateway answering after the latency shown; 48 concurrent dialogues "
        "per worker process (`xác thực` → number → `1` → the code read from the gateway → "
        "verified). Latencies from the webhook POST to the reply at the fake Zalo, and to the "
        "code at the fake gateway. `toy` is bench/toy.py: one process, nothing durable, the "
        "same fakes and users. Load: /proc/loadavg (1, 5, 15 min) when the row ended.",
        "",
        "| workers | API ms | users | events/s | verifications/s | reply p50 / p95 / p99 ms "
        "| code p50 / p95 ms | vs toy | vs plain loop | machine busy | failed | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    toy_rate = base.toy.events_per_second
    for run in [*runs, base.toy]:
        t, rate = run.tally, run.events_per_second
        lines.append(
            f"| {run.workers or 'toy'} | {run.latency_ms} | {run.users} | {rate:,.0f} | "
            f"{run.verifications_per_second:,.1f} | {percentile(t.replies, 0.5):.0f} / "
            f"{percentile(t.replies, 0.95):.0f} / {percentile(t.replies, 0.99):.0f} | "
            f"{percentile(t.codes, 0.5):.0f} / {percentile(t.codes, 0.95):.0f} | "
            f"{rate / toy_rate:.2f} | {rate / base.plain:.2f} | "
            f"{run.machine_busy:.0%} | {t.failures} | {run.load} |"
        )
    lines += ["", *cost_lines([*runs, base.toy]), ""]
    lines += [f"- ingest-only (webhook, no worker): **{base.ingest:,.0f} events/s**; plain loop "
              f"(the same handler work in one process, no web, no RQ, 0 ms API): "
              f"**{base.plain:,.0f} events/s**"]  # fmt: skip
    lines += [f"- the fake APIs alone, {CLIENTS} keep-alive clients: {rate:,.0f} requests/s at "
              f"{ms} ms" for ms, rate in base.fakes.items()]  # fmt: skip
    lines += ["", *paced_lines(base.paced), ""]
    lines += [*trace_lines(runs, base.traced), "", *paced_trace_lines(base.traced_paced)]
    lines += ["", *goal_lines(runs, base.toy), *paced_goal_lines(base.paced), ""]
    return lines


def paced_lines(paced: list[tuple[Run, Run]]) -> list[str]:
    """The bot and the toy with the users paced: latency when the bot is not flat out."""
    if not paced:
        return []
    lines = [
        "### Paced: the same 48 dialogues offering a fixed rate (1 worker, 80 ms)",
        "",
        "Each user types at most once per 48 / rate seconds (bench/dialogues.py), so the bot "
        "is not run flat out and a reply's latency is the API round trip plus what the bot "
        "spends of its own (its own: p50 − the API's 80 ms). The same users drive the toy "
        "at the same rate.",
        "",
        "| rate offered | who | events/s | reply p50 / p95 / p99 ms | own p50 ms "
        "| code p50 / p95 ms | worker (toy: its process) CPU ms / event | machine busy "
        "| failed | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for pair in paced:
        for run in pair:
            t = run.tally
            p50 = percentile(t.replies, 0.5)
            lines.append(
                f"| {run.pace:,.0f} | {'1 worker' if run.workers else 'toy'} | "
                f"{run.events_per_second:,.0f} | {p50:.0f} / {percentile(t.replies, 0.95):.0f}"
                f" / {percentile(t.replies, 0.99):.0f} | {p50 - run.latency_ms:.0f} | "
                f"{percentile(t.codes, 0.5):.0f} / {percentile(t.codes, 0.95):.0f} | "
                f"{run.worker_ms_per_event:.2f} | {run.machine_busy:.0%} | {t.failures} | "
                f"{run.load} |"
            )
    return lines


def paced_trace_lines(traced: Run | None) -> list[str]:
    """The paced run's timeline: the hops that remain when nobody queues for the worker."""
    if traced is None:
        return []
    return [
        f"The same timeline with the users paced at {traced.pace:,.0f} events/s (traced: "
        f"{traced.events_per_second:,.0f} events/s, reply p50 "
        f"{percentile(traced.tally.replies, 0.5):.0f} ms; load {traced.load}):",
        "",
        "| hop | p50 ms | p95 ms | events |",
        "|---|---|---|---|",
        *traced.trace,
    ]


def paced_goal_lines(paced: list[tuple[Run, Run]]) -> list[str]:
    """The latency goals where the users are paced at SPEC §7's 200 events/s."""
    if not paced:
        return []
    run, toy = paced[-1]
    p50, p95 = percentile(run.tally.replies, 0.5), percentile(run.tally.replies, 0.95)
    return [
        f"- goal, paced at {run.pace:,.0f} events/s (1 worker, 80 ms): reply p50 ≤ 110 ms: "
        f"{verdict(p50 <= 110)} ({p50:.0f}; the toy {percentile(toy.tally.replies, 0.5):.0f}); "
        f"reply p95 ≤ 200 ms: {verdict(p95 <= 200)} ({p95:.0f}; the toy "
        f"{percentile(toy.tally.replies, 0.95):.0f})"
    ]


def cost_lines(runs: list[Run]) -> list[str]:
    """What each event cost each process (CPU: psutil; Redis: INFO cpu and commandstats)."""
    lines = [
        "Costs per event (`INFO commandstats` counts every command Redis executed, those inside "
        "scripts and transactions included; Redis CPU is its main thread's, `INFO cpu`; the "
        "toy's one process, webhook and sends, is in the worker column; the rig is the "
        "benchmark's own process, its users and fakes, which share the cores):",
        "",
        "| workers | API ms | worker CPU ms / event | web CPU ms / event | Redis CPU ms / event "
        "| rig CPU ms / event | Redis commands / event | Redis commands / verified dialogue "
        "| load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run.workers or 'toy'} | {run.latency_ms} | {run.worker_ms_per_event:.2f} | "
            f"{run.web_ms_per_event:.2f} | {run.redis_ms_per_event:.2f} | "
            f"{run.rig_ms_per_event:.2f} | "
            f"{run.commands_per_event:.1f} | {run.commands_per_verification:.0f} | {run.load} |"
        )
    return lines


def trace_lines(runs: list[Run], traced: Run) -> list[str]:
    """One event's timeline (bench/trace.py) with the untraced run beside it."""
    plain = next((r for r in runs if (r.workers, r.latency_ms) == (1, 80)), None)
    untraced = f"{percentile(plain.tally.replies, 0.5):.0f} ms" if plain else "not measured"
    return [
        "### One event's timeline (1 worker, 80 ms): where the reply's time goes",
        "",
        f"Traced with Redis MONITOR (bench/trace.py), which slows Redis: this run did "
        f"{traced.events_per_second:,.0f} events/s with reply p50 "
        f"{percentile(traced.tally.replies, 0.5):.0f} ms (untraced: {untraced}); load "
        f"{traced.load}. Each hop from one marker to the next, per event:",
        "",
        "| hop | p50 ms | p95 ms | events |",
        "|---|---|---|---|",
        *traced.trace,
        "",
        *queue_line(plain),
    ]


def queue_line(run: Run | None) -> list[str]:
    """Why the wait before the claim is what it is: the users are a closed loop."""
    if run is None or not run.events_per_second:
        return []
    cycle = 1000 * run.users / run.events_per_second
    return [
        f"The {run.users} users type again as soon as they are answered: a closed loop, where "
        f"each event spends on average users / events/s = {cycle:.0f} ms from post to post "
        f"(Little's law, untraced run). What the hops after the claim do not take is spent "
        f"waiting to be claimed, so that wait falls only as the worker's CPU per event falls "
        f"(more threads for the events stage only move the wait into the turn)."
    ]


def goal_lines(runs: list[Run], toy: Run) -> list[str]:
    """SPEC §7's goals at 80 ms."""
    by = {(r.workers, r.latency_ms): r for r in runs}
    one, two = by.get((1, 80)), by.get((2, 80))
    if one is None:
        return []
    p50, p95 = percentile(one.tally.replies, 0.5), percentile(one.tally.replies, 0.95)
    rate = one.events_per_second
    lines = [
        f"- goal, 1 worker at 80 ms, closed loop: ≥ 200 events/s: {verdict(rate >= 200)} "
        f"({rate:,.0f}); reply p50 ≤ 110 ms: {verdict(p50 <= 110)} ({p50:.0f}); "
        f"reply p95 ≤ 200 ms: {verdict(p95 <= 200)} ({p95:.0f})",
        f"- goal, events/s ≥ the toy's: {verdict(rate >= toy.events_per_second)} ({rate:,.0f} "
        f"vs {toy.events_per_second:,.0f}: {rate / toy.events_per_second:.2f} ×); worker CPU "
        f"≤ 2 ms / event: {verdict(one.worker_ms_per_event <= 2)} "
        f"({one.worker_ms_per_event:.2f}; the toy's whole process: {toy.worker_ms_per_event:.2f})",
    ]
    if two is not None:
        cpu = two.worker_ms_per_event / one.worker_ms_per_event if one.worker_ms_per_event else 0
        cmds = two.commands_per_event / one.commands_per_event if one.commands_per_event else 0
        # A cost per event above one worker's is what scaling must not add; below it is a
        # saturated machine batching more (claims fill more threads per round trip).
        ok = max(cpu, cmds) <= 1.10
        lines.append(
            f"- goal, 2 workers cost no more than 1 does (at most 10 % above): {verdict(ok)}: "
            f"worker CPU {one.worker_ms_per_event:.2f} → {two.worker_ms_per_event:.2f} ms / event "
            f"({cpu:.2f} ×), Redis commands {one.commands_per_event:.1f} → "
            f"{two.commands_per_event:.1f} / event ({cmds:.2f} ×); throughput "
            f"{two.events_per_second / max(1e-9, rate):.2f} × with machine busy "
            f"{one.machine_busy:.0%} → {two.machine_busy:.0%} on {os.cpu_count()} cores; "
            f"worker CPU per Redis CPU {against_redis(one):.2f} → {against_redis(two):.2f} "
            f"({against_redis(two) / max(1e-9, against_redis(one)):.2f} ×: Redis does the same "
            "work per event in both rows, so this ratio cancels the machine's speed, which "
            "moves by a quarter within minutes)"
        )
    return lines


def against_redis(run: Run) -> float:
    """The worker's CPU per event over Redis's in the same row."""
    return run.worker_ms_per_event / max(1e-9, run.redis_ms_per_event)
