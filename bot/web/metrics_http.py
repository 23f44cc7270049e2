"""GET /metrics: Prometheus text, from every gunicorn worker (and the RQ worker) on the host."""

from __future__ import annotations

import os
from collections.abc import Iterator

import redis
from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from bot.queues.ready import due_counts
from bot.services import Services, current_services, served_oas
from bot.web.health import STAGES
from bot.zalo.sending import HELD, OK, all_states

blueprint = Blueprint("metrics", __name__)


class QueueDepthCollector(Collector):
    """Jobs waiting per RQ queue, read from Redis at scrape time."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One gauge sample per queue (none when Redis does not answer)."""
        family = GaugeMetricFamily(
            "bot_queue_jobs", "Jobs waiting in each RQ queue", labels=["queue"]
        )
        due = GaugeMetricFamily(
            "bot_stage_users_due", "Users due and not yet claimed at each stage", labels=["stage"]
        )
        sending = GaugeMetricFamily(
            "bot_zalo_sending",
            "1 for the state each OA's sending is in (ok, or held: nothing goes out)",
            labels=["oa", "state"],
        )
        client = self.services.redis
        try:
            for name, queue in self.services.queues.items():
                family.add_metric([name], float(queue.count))
            for stage, count in due_counts(client, STAGES).items():
                due.add_metric([stage], float(count))
            for found in all_states(client, served_oas(self.services)):
                for state in (OK, HELD):
                    sending.add_metric([found.oa_id, state], float(found.state == state))
        except redis.RedisError:
            return
        yield family
        yield due
        yield sending


def counters_registry() -> CollectorRegistry:
    """This process's counters, or (under gunicorn and with the RQ worker on the same host)
    every process's, merged from the files in PROMETHEUS_MULTIPROC_DIR."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


@blueprint.get("/metrics")
def metrics() -> Response:
    """The Prometheus exposition: counters and histograms, then the queue depths."""
    queues = CollectorRegistry(auto_describe=False)
    queues.register(QueueDepthCollector(current_services()))
    output = generate_latest(counters_registry()) + generate_latest(queues)
    # content_type, not mimetype: CONTENT_TYPE_LATEST already names its charset.
    return Response(output, content_type=CONTENT_TYPE_LATEST)
