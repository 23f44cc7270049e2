"""Events, replies and code sends leave no RQ job behind that could name a user: the stages'
queues hold them, and what RQ does hold is described pseudonymously."""

from __future__ import annotations

from flask import Flask

from bot.services import services_of
from bot.worker.processing import EVENTS
from bot.worker.runner import Runner
from tests.helpers import Dialogue, post_event, text_event

USER = "2468458835296117922"


def test_a_turn_records_no_rq_job(app: Flask) -> None:
    alice = Dialogue(app, USER)
    alice.say("xác thực"), alice.say("0912345678")
    post_event(alice.client, text_event(USER, "1"))
    with app.app_context():  # commits the code's send and the replies, without sending them
        assert Runner(services_of(app), EVENTS).serve_due() == 1
    jobs = [job for queue in services_of(app).queues.values() for job in queue.jobs]
    assert jobs == []
    assert not services_of(app).redis.keys("rq:job:*")
