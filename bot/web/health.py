"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import redis
from flask import Blueprint, Response, jsonify

from bot.queues.codes import STAGE_CODES
from bot.queues.inbox import STAGE_EVENTS
from bot.queues.outbox import STAGE_MESSAGES
from bot.queues.ready import due_counts
from bot.services import current_services
from bot.zalo.sending import all_states

blueprint = Blueprint("health", __name__)
STAGES = (STAGE_CODES, STAGE_EVENTS, STAGE_MESSAGES)


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process is alive; checks nothing else so a Redis outage does not restart it."""
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Redis answers; also reports how many jobs wait in each queue, how many users are due
    at each stage (events to process, replies and codes to send) and, per OA, whether the bot
    can send (`ok`, or `held` with the reason and since when: the process stays ready, as the
    webhook still takes events and nothing is lost while held)."""
    services = current_services()
    try:
        with services.redis.pipeline(transaction=False) as pipe:
            pipe.ping()
            for queue in services.queues.values():
                pipe.llen(queue.key)
            answers = pipe.execute()
        due = due_counts(services.redis, STAGES)
        zalo = {
            st.oa_id: st.as_json()
            for st in all_states(services.redis, services.settings.zalo_oa_id)
        }
    except redis.RedisError as exc:
        reason = f"redis unreachable: {type(exc).__name__}"
        return jsonify(status="unavailable", reason=reason), 503
    depths = dict(zip(services.queues, answers[1:], strict=True))
    return jsonify(status="ready", redis="ok", queues=depths, due=due, zalo_sending=zalo), 200
