"""pooled_call's exchange on geventhttpclient's pools, for a gevent process (the worker).

In the gevent-patched worker, against a fake in another process, a call cost 120-210 µs of
client CPU this way and 400-600 µs on urllib3's pools (http.client's request building, the
email module's header parsing, urllib3's response object): the largest single item of the
worker's CPU. Failures are raised as the urllib3 exception classes the callers already catch.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import Any

import gevent.ssl
import requests
import urllib3
from geventhttpclient import HTTPClient
from geventhttpclient.response import HTTPParseError
from requests.utils import DEFAULT_CA_BUNDLE_PATH, requote_uri

from zalo_api.transport import Outgoing

# What a client's connections are made with: scheme, host, port, timeout, TLS verification.
Key = tuple[str, str, int | None, float, bool | str | None]


class GeventPools:
    """One HTTPClient per Key, kept for the process, each with up to concurrency connections
    (a call waits for a free one beyond that, as the stages' threads are bounded)."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self.clients: dict[Key, HTTPClient] = {}
        self.lock = threading.Lock()

    def exchange(
        self, session: requests.Session, out: Outgoing, timeout: float
    ) -> tuple[int, bytes]:
        """(status, body) of out; urllib3's exception classes for failures.

        A POST is never sent twice: geventhttpclient replaces a kept-alive connection the
        server has closed before it sends, and once sent, retries only an idempotent method
        (a GET whose connection closed without an answer, unlike urllib3's pools here)."""
        client = self.client_for(out, session.verify, timeout)
        # As http.client asks: no compressed answer (this client would not decode it).
        headers = {"Accept-Encoding": "identity", **out.headers}
        target = out.target if out.target.isascii() else requote_uri(out.target)
        try:
            answer = client.request(out.method, target, body=out.body, headers=headers)
            return answer.status_code, answer.read()
        except TimeoutError as exc:  # connecting or waiting for the answer
            raise urllib3.exceptions.TimeoutError(f"no answer within {timeout:g} s") from exc
        except ssl.SSLError as exc:
            raise urllib3.exceptions.SSLError(type(exc).__name__) from exc
        except (ConnectionRefusedError, socket.gaierror) as exc:
            no_connection = None  # urllib3 names its connection object; there is none here
            raise urllib3.exceptions.NewConnectionError(
                no_connection,  # type: ignore[arg-type]
                type(exc).__name__,
            ) from exc
        except (OSError, HTTPParseError) as exc:  # the connection broke, or a garbled answer
            raise urllib3.exceptions.ProtocolError(type(exc).__name__) from exc

    def client_for(self, out: Outgoing, verify: bool | str | None, timeout: float) -> HTTPClient:
        """The client for out's host with these settings, made once (under the lock)."""
        key = (out.parts.scheme, out.parts.hostname or "", out.parts.port, timeout, verify)
        client = self.clients.get(key)
        if client is None:
            with self.lock:
                client = self.clients.get(key) or self.clients.setdefault(key, self.new(key))
        return client

    def new(self, key: Key) -> HTTPClient:
        """A client for key's host: timeout for connecting and for each read, as urllib3's."""
        scheme, host, port, timeout, verify = key
        tls = tls_arguments(verify) if scheme == "https" else {}
        return HTTPClient(
            host, port=port, concurrency=self.concurrency, connection_timeout=timeout,
            network_timeout=timeout, **tls,
        )  # fmt: skip


def tls_arguments(verify: bool | str | None) -> dict[str, Any]:
    """HTTPClient's TLS arguments for requests' verify: True (requests' CA bundle), a bundle's
    path, or False / None (no verification)."""
    if not verify:
        return {"ssl": True, "insecure": True, "ssl_context_factory": unverified_context}
    bundle = verify if isinstance(verify, str) else DEFAULT_CA_BUNDLE_PATH
    return {"ssl": True, "ssl_options": {"ca_certs": bundle}}


def unverified_context(cafile: str | None = None) -> ssl.SSLContext:
    """A TLS context that checks neither the certificate nor the host name (verify=False;
    geventhttpclient's own `insecure` only skips the host name)."""
    context: ssl.SSLContext = gevent.ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
