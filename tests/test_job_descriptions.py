"""What RQ logs about our jobs names no phone, no code nonce, no raw user id."""

from __future__ import annotations

from flask import Flask

from bot.pipeline.processing import process_events
from bot.services import services_of
from tests.helpers import OA_ID, Dialogue, post_event, text_event

USER = "2468458835296117922"


def test_job_descriptions_are_pseudonymous(app: Flask) -> None:
    alice = Dialogue(app, USER)
    alice.say("xác thực"), alice.say("0912345678")
    post_event(alice.client, text_event(USER, "1"))
    with app.app_context():
        process_events(OA_ID, USER)  # commits the send and reply jobs, without running them
    jobs = [job for queue in services_of(app).queues.values() for job in queue.jobs]
    names = {job.func_name.rsplit(".", 1)[-1] for job in jobs}
    assert names == {"process_ready", "send_ready", "deliver_ready"}  # stage jobs name no user
    for job in jobs:
        assert USER not in job.description
        assert "912345678" not in job.description
        assert not any(str(arg) in job.description for arg in job.args[2:])
