"""Webhook throughput and latency under gunicorn, against two baselines on the same server."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from bench.events import BASE_MS, signed_headers, text_body
from bench.loadgen import LoadResult, request_bytes, run_load
from bench.servers import gunicorn

SECONDS = 4.0


@dataclass
class WebhookFigures:
    """One worker class: the three routes' results."""

    worker_class: str
    bare: LoadResult
    enqueue: LoadResult
    webhook: LoadResult

    @property
    def ratio_to_enqueue(self) -> float:
        """The bot's webhook rate over the enqueue-only route's."""
        return self.webhook.rate / self.enqueue.rate if self.enqueue.rate else 0.0

    @property
    def ratio_to_bare(self) -> float:
        """The bot's webhook rate over the bare route's."""
        return self.webhook.rate / self.bare.rate if self.bare.rate else 0.0


def webhook_requests(port: int, count: int) -> list[bytes]:
    """Distinct mid-dialogue text events, each of a different user (each one enqueues a job)."""
    host = f"127.0.0.1:{port}"
    found = []
    for n in range(count):
        body = text_body(f"bench-{n}", "1", timestamp=BASE_MS + n)
        found.append(request_bytes(host, "/webhook", body, signed_headers(body)))
    return found


def measure(
    port: int, client: redis.Redis, routes: dict[str, list[bytes]]
) -> dict[str, LoadResult]:
    """Each route twice, in A-B-C-C-B-A order so drift of the machine cancels out."""
    order = list(routes) + list(reversed(routes))
    results: dict[str, list[LoadResult]] = {name: [] for name in routes}
    run_load(port, routes["bare"], seconds=1.0)  # warm up the server processes
    for name in order:
        client.flushall()
        results[name].append(run_load(port, routes[name], seconds=SECONDS))
    return {name: merge(runs) for name, runs in results.items()}


def merge(runs: list[LoadResult]) -> LoadResult:
    """Two runs as one."""
    return LoadResult(
        sum(r.requests for r in runs),
        sum(r.errors for r in runs),
        sum(r.seconds for r in runs),
        [x for r in runs for x in r.latencies],
    )


def bench_worker_class(env: dict[str, str], worker_class: str, workers: str) -> WebhookFigures:
    """The three routes on gunicorn with one worker class."""
    client = redis.Redis.from_url(env["REDIS_URL"])
    settings = {**env, "WEB_CONCURRENCY": workers}
    with gunicorn(settings, worker_class) as port:
        host = f"127.0.0.1:{port}"
        routes = {
            "bare": [request_bytes(host, "/bench/bare", None, {})],
            "enqueue": [request_bytes(host, "/bench/enqueue", b"", {})],
            "webhook": webhook_requests(port, 60_000),
        }
        found = measure(port, client, routes)
    return WebhookFigures(worker_class, found["bare"], found["enqueue"], found["webhook"])
