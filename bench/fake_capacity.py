"""The fakes measured on their own: they must not be what limits the end-to-end figures."""

from __future__ import annotations

import threading
import time

import requests

from bench.fakes import FakeServer

# More clients than the bot keeps connections (bot.services.HTTP_POOL_SIZE): what the fake
# can serve, not what the clients can ask.
CLIENTS = 128
PER_CLIENT = 15


def requests_per_second(latency_seconds: float) -> float:
    """OA sends per second that CLIENTS keep-alive clients get from a fake of this latency."""
    with FakeServer(latency_seconds) as fake:
        url = fake.url + "/v3.0/oa/message/cs"
        body = {"recipient": {"user_id": "cap"}, "message": {"text": "x"}}

        def client() -> None:
            with requests.Session() as session:
                for _ in range(PER_CLIENT):
                    session.post(url, json=body, timeout=10).raise_for_status()

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return CLIENTS * PER_CLIENT / (time.perf_counter() - start)
