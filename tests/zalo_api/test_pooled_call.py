"""pooled_call at the connection level: no redirect followed, no POST sent twice, timeouts
and refusals as urllib3's errors, a connection the server closed replaced, TLS verified as
the session says. In this process the calls go on urllib3's pools; test_gevent_pools runs
this module again in a gevent-patched process, on geventhttpclient's."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import urllib3

from tests.helpers import wait_for
from tests.sms.support import closed_port_url
from tests.zalo_api.loopback import LoopbackServer, Script, answer
from zalo_api.transport import Call, pooled_call

TIMEOUT_SECONDS = 10.0
SHORT_TIMEOUT_SECONDS = 0.3

Serve = Callable[..., LoopbackServer]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start loopback servers; every one is stopped at the end."""
    started: list[LoopbackServer] = []

    def start(script: Script, tls: ssl.SSLContext | None = None) -> LoopbackServer:
        started.append(LoopbackServer(script, tls))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def session(verify: bool | str = True) -> requests.Session:
    """A session no proxy can apply to (the bot's own kind), verifying TLS as told."""
    made = requests.Session()
    made.trust_env, made.verify = False, verify
    return made


def post(
    url: str, verify: bool | str = True, timeout: float = TIMEOUT_SECONDS
) -> tuple[int, bytes]:
    """A JSON POST to url through pooled_call."""
    call = Call("POST", url, {"access_token": "t"}, {"text": "Xin chào"}, None, None)
    return pooled_call(session(verify), call, timeout)


@pytest.mark.parametrize("status", [302, 404, 503])
def test_a_3xx_4xx_or_5xx_is_the_answer(serve: Serve, status: int) -> None:
    server = serve(Script(answer(status, b"no", extra="Location: /elsewhere\r\n")))
    assert post(server.url()) == (status, b"no")
    assert [r.split(b" ")[:2] for _, r in server.requests] == [[b"POST", b"/x"]]  # not followed


def test_a_timeout_is_urllib3s_and_the_post_is_not_sent_again(serve: Serve) -> None:
    server = serve(Script(None))  # reads the request, never answers
    with pytest.raises(urllib3.exceptions.TimeoutError):
        post(server.url(), timeout=SHORT_TIMEOUT_SECONDS)
    assert len(server.requests) == 1


def test_a_connection_broken_before_the_answer_is_not_sent_again(serve: Serve) -> None:
    server = serve(Script(b"", close=True))  # reads the request, closes without a word
    with pytest.raises(urllib3.exceptions.ProtocolError):
        post(server.url())
    assert len(server.requests) == 1


def test_a_refused_connection_is_a_new_connection_error() -> None:
    with pytest.raises(urllib3.exceptions.NewConnectionError):
        post(closed_port_url() + "/x")


def test_a_kept_alive_connection_the_server_closed_is_replaced(serve: Serve) -> None:
    """The server closes each connection after its answer, as one does at its idle timeout:
    the next call goes on a new connection, and each POST is sent once."""
    server = serve(Script(answer(), close=True))
    assert post(server.url()) == (200, b'{"error": 0}')
    wait_for(server.closed.is_set)
    assert post(server.url()) == (200, b'{"error": 0}')
    assert [number for number, _ in server.requests] == [0, 1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (made by openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")  # verify=False
def test_tls_is_verified_as_the_session_says(serve: Serve, certificate: tuple[Path, Path]) -> None:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(*certificate)
    server = serve(Script(answer()), tls)
    with pytest.raises(urllib3.exceptions.SSLError):
        post(server.url())  # requests' CA bundle does not know it
    assert post(server.url(), verify=str(certificate[0])) == (200, b'{"error": 0}')
    assert post(server.url(), verify=False) == (200, b'{"error": 0}')
    assert len(server.requests) == 2
