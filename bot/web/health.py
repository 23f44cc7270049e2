"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import os

import redis
from flask import Blueprint, Response, jsonify

from bot.queues.code_sends import STAGE_CODES
from bot.queues.inbox import STAGE_EVENTS
from bot.queues.outbox import STAGE_MESSAGES
from bot.queues.ready import due_counts
from bot.services import current_services, served_oas, token_states_of
from bot.web.unverified import webhook_health
from bot.zalo.sending import all_states

blueprint = Blueprint("health", __name__)
STAGES = (STAGE_CODES, STAGE_EVENTS, STAGE_MESSAGES)


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process is alive; checks nothing else so a Redis outage does not restart it."""
    answer = jsonify(status="ok")
    run_id = os.environ.get("BOT_RUN_ID")
    if run_id:  # `make run`'s nonce: it announces the URL only when its own process answers
        answer.headers["X-Bot-Run"] = run_id
    return answer


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Redis answers and every served OA has a usable Zalo token (outside sandbox); also
    reports how many jobs wait in each queue, how many users are due at each stage (events to
    process, replies and codes to send), the state of each OA's token, per OA whether the bot
    can send (`ok`, or `held` with the reason and since when: the process stays ready, as the
    webhook still takes events and nothing is lost while held), and whether the last minute
    saw only webhook requests that failed verification."""
    services = current_services()
    try:
        with services.redis.pipeline(transaction=False) as pipe:
            pipe.ping()
            for queue in services.queues.values():
                pipe.llen(queue.key)
            answers = pipe.execute()
        due = due_counts(services.redis, STAGES)
        webhook = webhook_health(services.redis).as_dict()
        tokens = {} if services.settings.bot_sandbox else token_states_of(services)
        zalo = {st.oa_id: st.as_json() for st in all_states(services.redis, served_oas(services))}
    except redis.RedisError as exc:
        reason = f"redis unreachable: {type(exc).__name__}"
        return jsonify(status="unavailable", reason=reason), 503
    depths = dict(zip(services.queues, answers[1:], strict=True))
    found = {"redis": "ok", "queues": depths, "due": due, "webhook": webhook, "tokens": tokens}
    found["zalo_sending"] = zalo
    unusable = sorted(oa_id for oa_id, state in tokens.items() if state != "ok")
    if unusable:  # a start without tokens must not take traffic it cannot answer
        reason = "no usable Zalo token for OA " + ", ".join(unusable)
        return jsonify(status="unavailable", reason=reason, **found), 503
    # Only unverified requests in the last minute (a wrong webhook key looks like that) is said,
    # not made a 503: the load balancer must keep sending Zalo's probes here.
    return jsonify(status="ready", **found), 200
