"""gunicorn settings for the Procfile's `web` process; every knob comes from the environment."""

import os

# Platforms route to $PORT on every interface; `make run` binds loopback only (GUNICORN_BIND).
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# The reverse proxy (deploy/): only its X-Forwarded-Proto is believed (the app's own
# TrustedProxyFix reads the same variable for X-Forwarded-For). Never `*` on a public port.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
# gthread: the webhook's work is short Redis round trips, so threads overlap the waits
# cheaply; WEB_CONCURRENCY processes use the cores. See the README's deployment section.
# (The sandbox simulator's server-sent events then hold one thread, not a process, per page.)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
if worker_class == "gevent":
    # gunicorn patches each gevent worker after the fork, but the app is built in the master
    # before (preload_app): its locks would be the OS's, and a greenlet waiting on one while
    # another holds it across a Redis call stops them all. Patched first, as the worker is.
    from bot.worker.gevent_patch import patch_worker_process

    patch_worker_process()
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Zalo wants an answer within 2 s; anything slower than 30 s is stuck, not slow.
timeout = 30
graceful_timeout = 20
keepalive = 5
# Build the app once in the master: a configuration error stops start-up with one line.
preload_app = True
accesslog = None
errorlog = "-"
# gunicorn's runtime control socket is one fixed path per user: two instances on one host
# (web + benchmark, two checkouts) would fight over it, and nothing here uses it.
control_socket_disable = True
# prometheus-client's multiprocess mode writes one file per process into this folder, from the
# first metric created: that is while the app is preloaded, before any server hook runs.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    """A gunicorn worker died: let prometheus-client fold its gauges away."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
