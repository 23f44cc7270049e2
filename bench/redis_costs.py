"""What Redis did during a run: commands by name (INFO commandstats) and its main thread's CPU
(INFO cpu), read before and after, so that a run's cost per event is a difference."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import redis


@dataclass
class RedisWork:
    """Commands executed (scripts' and transactions' inner commands included) and CPU."""

    calls: Counter[str] = field(default_factory=Counter)
    cpu_seconds: float = 0.0

    def __sub__(self, before: RedisWork) -> RedisWork:
        return RedisWork(self.calls - before.calls, self.cpu_seconds - before.cpu_seconds)

    @property
    def commands(self) -> int:
        """All commands."""
        return sum(self.calls.values())


def redis_work(client: redis.Redis) -> RedisWork:
    """The server's totals so far."""
    stats = client.info("commandstats")
    calls = Counter({name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()})
    cpu = client.info("cpu")
    # The main thread executes the commands (Redis 6.2+ reports it apart from AOF's threads).
    user = cpu.get("used_cpu_user_main_thread", cpu["used_cpu_user"])
    system = cpu.get("used_cpu_sys_main_thread", cpu["used_cpu_sys"])
    return RedisWork(calls, float(user) + float(system))
