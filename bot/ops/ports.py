"""Before `make run` starts anything: is its port free, and if not, who holds it."""

from __future__ import annotations

import errno
import socket
from contextlib import suppress

import psutil


class PortInUse(RuntimeError):
    """The port is taken; the message names the holder when it can be known."""


def split_bind(bind: str) -> tuple[str, int] | None:
    """(host, port) of a gunicorn bind like '127.0.0.1:8000' or '[::1]:8000'; None for a
    unix socket or a bind without a port."""
    host, _, port = bind.rpartition(":")
    if bind.startswith(("unix:", "fd://")) or not port.isdigit():
        return None
    return host.strip("[]") or "0.0.0.0", int(port)


def check_free(host: str, port: int) -> None:
    """Raise PortInUse naming the holder if nothing new can listen on host:port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise PortInUse(f"port {port} is already in use by {holder(port)}") from None


def holder(port: int) -> str:
    """'pid 123 (gunicorn: master [wsgi:app])', or what can be said without privileges."""
    pids = listeners(port)
    for pid in sorted(pids, key=lambda pid: parent(pid) in pids):  # gunicorn's master first
        with suppress(psutil.Error):
            command = " ".join(psutil.Process(pid).cmdline()) or psutil.Process(pid).name()
            return f"pid {pid} ({command[:120]})"
    return "another process (not one of yours, or its owner cannot be seen without root)"


def parent(pid: int) -> int:
    """The parent's pid (0 when it cannot be known)."""
    with suppress(psutil.Error):
        return int(psutil.Process(pid).ppid())
    return 0


def listeners(port: int) -> list[int]:
    """Pids listening on port: the system-wide table, else (macOS without root) our own."""
    try:
        found = psutil.net_connections(kind="inet")
    except psutil.AccessDenied:
        found = []
        for process in psutil.process_iter():
            with suppress(psutil.Error):
                found += [c._replace(pid=process.pid) for c in process.net_connections("inet")]
    return [
        c.pid
        for c in found
        if c.pid and c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
    ]
