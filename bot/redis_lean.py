"""redis-py's client without the per-command work this bot never uses.

redis-py 8 records OpenTelemetry connection counts and dispatches a released-connection event
on every command (for streaming credential providers), and its Script asks two isinstance
questions of a typing Protocol before each EVALSHA. The bot configures neither metrics
exporter nor credential provider, and runs its scripts by SHA on a client (inside pipelines
it sends their text: bot.redis_client.run_script). Under load those were about a tenth of
the worker's Python time, a third of what a command costs it on the client side.

What stays as redis-py does it: the fork check, the pool's lock, a connection checked
before use (reconnected when it has unread data), a Sentinel pool's check that a released
connection still goes to the primary, and NOSCRIPT answered by loading the script.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import redis
from redis.client import Pipeline
from redis.commands.core import Script
from redis.connection import ConnectionPool
from redis.exceptions import NoScriptError
from redis.sentinel import SentinelConnectionPool


class LeanPoolMixin:
    """get_connection() and release() as redis-py 8 does them, less the metrics and the
    released-connection event."""

    def get_connection(
        self: Any, command_name: str | None = None, *keys: Any, **options: Any
    ) -> Any:
        """An idle connection (a new one when none is idle), checked before use."""
        self._checkpid()
        with self._lock:
            try:
                connection = self._available_connections.pop()
            except IndexError:
                connection = self.make_connection()
            self._in_use_connections.add(connection)
        try:
            self.ensure_connection(connection)
        except BaseException:
            self.release(connection)  # never leak it
            raise
        return connection

    def release(self: Any, connection: Any) -> None:
        """Back to the idle connections, unless the pool no longer owns it (forked, or a
        Sentinel pool's primary moved): then closed, and its slot freed."""
        self._checkpid()
        with self._lock:
            try:
                self._in_use_connections.remove(connection)
            except KeyError:
                return  # not ours
            if self.owns_connection(connection):
                if connection.should_reconnect():
                    connection.disconnect()
                self._available_connections.append(connection)
                return
            connection.disconnect()
            if connection.pid == self.pid:
                self._created_connections -= 1


class LeanPool(LeanPoolMixin, ConnectionPool):
    """A ConnectionPool without per-command metrics and events."""


class LeanSentinelPool(LeanPoolMixin, SentinelConnectionPool):
    """A SentinelConnectionPool without per-command metrics and events."""


class LeanScript(Script):
    """A Lua script run by its SHA on a client, loaded again when Redis answers NOSCRIPT."""

    def __call__(
        self,
        keys: Sequence[Any] | None = None,
        args: Iterable[Any] | None = None,
        client: Any = None,
    ) -> Any:
        """EVALSHA on client (the registering client by default); queued in a pipeline as
        its text, as bot.redis_client.run_script() does: a transaction never meets NOSCRIPT
        halfway, and no SCRIPT EXISTS round trip precedes it."""
        words = (len(keys or ()), *(keys or ()), *(args or ()))
        if client is None:
            client = self.registered_client
        elif isinstance(client, Pipeline):  # asked only here: a Protocol's isinstance is slow
            return client.execute_command("EVAL", self.script, *words)  # type: ignore[no-untyped-call]
        try:
            return client.execute_command("EVALSHA", self.sha, *words)
        except NoScriptError:  # Redis restarted without its data, or SCRIPT FLUSH
            self.sha = client.script_load(self.script)
            return client.execute_command("EVALSHA", self.sha, *words)


class LeanRedis(redis.Redis):
    """redis.Redis whose scripts are LeanScripts."""

    def register_script(self, script: Any) -> LeanScript:
        """A LeanScript of script's text."""
        return LeanScript(self, script)
