"""The nginx site and the Caddyfile: valid for their tool, and, run for real on loopback in
front of a recording backend, they pass the world only /webhook, the portal API, the OAuth
callback and the domain verification file; metrics, readiness and /admin only internally."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.kit import DEPLOY, ROOT, procfile
from tests.deploy.proxykit import (
    DISGUISED,
    ELSEWHERE,
    INTERNAL,
    PUBLIC,
    Seen,
    ask,
    backend,
    free_ports,
    wait_listening,
)
from tests.processes import spawn

NGINX_SITE = DEPLOY / "nginx" / "zalo-bot.conf"
NGINX_SNIPPET = DEPLOY / "nginx" / "snippets" / "zalo-bot-proxy.conf"
CADDYFILE = DEPLOY / "caddy" / "Caddyfile"
needs_nginx = pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None,
    reason="nginx or openssl is not installed (apt-get install nginx; .ci/run does as root)",
)
needs_caddy = pytest.mark.skipif(
    shutil.which("caddy") is None,
    reason="caddy is not installed (apt-get install caddy; .ci/run does as root)",
)


def replaced(text: str, changes: dict[str, str]) -> str:
    """text with each change made; a change that finds nothing is a broken test."""
    for old, new in changes.items():
        assert old in text, f"{old!r} is no longer in the file"
        text = text.replace(old, new)
    return text


def nginx_prefix(tmp_path: Path, site: str) -> Path:
    """A prefix nginx can run in without root: main config, the site, its snippet, a
    self-signed certificate, temp folders. Returns the main config file."""
    conf = tmp_path / "conf"
    (conf / "snippets").mkdir(parents=True)
    shutil.copy(NGINX_SNIPPET, conf / "snippets")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-days", "1"]
        + ["-subj", "/CN=bot.example.com", "-keyout", str(tmp_path / "privkey.pem")]
        + ["-out", str(tmp_path / "fullchain.pem")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    certs = "/etc/letsencrypt/live/bot.example.com/"
    (conf / "zalo-bot.conf").write_text(replaced(site, {certs: f"{tmp_path}/"}))
    temps = " ".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("proxy", "fastcgi"))
    main = conf / "nginx.conf"
    main.write_text(
        f"daemon off; master_process off; pid {tmp_path}/nginx.pid; error_log stderr;\n"
        f"events {{}}\nhttp {{ access_log off; client_body_temp_path {tmp_path}/body; "
        f"{temps} uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;\n"
        "include zalo-bot.conf; }\n"
    )
    return main


def nginx(main: Path, *args: str) -> list[str]:
    """The nginx command line for this prefix."""
    return ["nginx", "-p", str(main.parent.parent), "-c", str(main), "-e", "stderr", *args]


@needs_nginx
def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    main = nginx_prefix(tmp_path, NGINX_SITE.read_text(encoding="utf-8"))
    done = subprocess.run(nginx(main, "-t"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr
    # Newer nginx than Debian 12's deprecates `listen ... http2`; any other warning is ours.
    warnings = [line for line in done.stderr.splitlines() if "[warn]" in line]
    assert all("http2" in line for line in warnings), done.stderr


@needs_nginx
def test_nginx_passes_only_the_public_routes_to_the_world(tmp_path: Path) -> None:
    http, https, internal = free_ports(3)
    with backend() as (upstream, seen):
        site = replaced(
            NGINX_SITE.read_text(encoding="utf-8"),
            {
                "    listen [::]:80;\n": "",
                "    listen [::]:443 ssl http2;\n": "",
                "listen 80;": f"listen 127.0.0.1:{http};",
                "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl;",
                "listen 127.0.0.1:8081;": f"listen 127.0.0.1:{internal};",
                "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
            },
        )
        main = nginx_prefix(tmp_path, site)
        with spawn(nginx(main), stderr=subprocess.DEVNULL):
            for port in (http, https, internal):
                wait_listening(port)
            check_routes(seen, public=https, internal=internal, tls=True)
            redirect = ask(http, "GET", "/webhook")
            assert redirect.status == 301
            assert redirect.headers["Location"].startswith("https://")


def check_routes(seen: list[Seen], public: int, internal: int, tls: bool) -> None:
    """Public routes reach the backend from the public listener, internal ones from the
    internal listener, nothing else from either; the client's claims are replaced."""
    for method, path in PUBLIC:
        assert ask(public, method, path, tls).status == 200, path
        got_method, got_path, headers = seen.pop()
        assert (got_method, got_path) == (method, path)
        # The client's own address and scheme, not the ones it claimed (203.0.113.9, https).
        assert headers["x-forwarded-for"] == "127.0.0.1"
        assert headers["x-forwarded-proto"] == ("https" if tls else "http")
        assert headers.get("x-request-id")
    for method, path in INTERNAL + ELSEWHERE + DISGUISED:
        assert ask(public, method, path, tls).status == 404, path
    for method, path in INTERNAL:
        assert ask(internal, method, path).status == 200, path
        assert seen.pop()[1] == path
    for method, path in PUBLIC + ELSEWHERE:
        assert ask(internal, method, path).status == 404, path
    assert seen == []


def caddy_env(tmp_path: Path) -> dict[str, str]:
    """Caddy's environment: the Caddyfile's placeholders, its storage in tmp_path."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "BOT_DOMAIN": "bot.example.com",
        "ACME_EMAIL": "ops@example.com",
    }


@needs_caddy
def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    command = ["caddy", "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env=caddy_env(tmp_path)
    )
    assert done.returncode == 0 and "Valid configuration" in done.stdout, done.stderr
    assert '"level":"warn"' not in done.stderr and '"level":"error"' not in done.stderr


@needs_caddy
def test_caddy_passes_only_the_public_routes_to_the_world(tmp_path: Path) -> None:
    public, internal = free_ports(2)
    with backend() as (upstream, seen):
        # The same routes over plain HTTP on loopback: no certificate authority to reach.
        caddyfile = replaced(
            CADDYFILE.read_text(encoding="utf-8"),
            {
                "{\n\temail {$ACME_EMAIL}\n": "{\n\tadmin off\n\temail {$ACME_EMAIL}\n",
                "{$BOT_DOMAIN} {": f"http://127.0.0.1:{public} {{",
                "http://:8081 {": f"http://:{internal} {{",
                "reverse_proxy 127.0.0.1:8000": f"reverse_proxy 127.0.0.1:{upstream}",
            },
        )
        config = tmp_path / "Caddyfile"
        config.write_text(caddyfile)
        command = ["caddy", "run", "--adapter", "caddyfile", "--config", str(config)]
        with spawn(command, env=caddy_env(tmp_path), stderr=subprocess.DEVNULL):
            wait_listening(public)
            wait_listening(internal)
            check_routes(seen, public=public, internal=internal, tls=False)


@needs_nginx
def test_nginx_in_front_of_the_procfiles_web(redis_url: str, tmp_path: Path) -> None:
    web, https, internal = free_ports(3)
    env = {
        "PATH": os.environ["PATH"],
        "REDIS_URL": redis_url,
        "BOT_SANDBOX": "1",
        "GUNICORN_BIND": f"127.0.0.1:{web}",
        "WEB_CONCURRENCY": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = [sys.executable, "-m", *shlex.split(procfile()["web"])]
    site = replaced(
        NGINX_SITE.read_text(encoding="utf-8"),
        {
            "    listen [::]:443 ssl http2;\n": "",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl;",
            "listen 127.0.0.1:8081;": f"listen 127.0.0.1:{internal};",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{web};",
        },
    )
    main = nginx_prefix(tmp_path, site)
    with spawn(gunicorn, cwd=ROOT, env=env), spawn(nginx(main), stderr=subprocess.DEVNULL):
        for port in (web, https, internal):
            wait_listening(port)
        document = ask(https, "GET", "/api/v1/openapi.json", tls=True)
        assert document.status == 200 and json.loads(document.body)["openapi"].startswith("3.1")
        assert ask(https, "GET", "/api/v1/assets", tls=True).status == 401  # no key
        assert ask(https, "GET", "/readyz", tls=True).status == 404
        ready = ask(internal, "GET", "/readyz")
        assert ready.status == 200 and json.loads(ready.body)["status"] == "ready"
        assert b"bot_" in ask(internal, "GET", "/metrics").body
