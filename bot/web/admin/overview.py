"""What the admin page shows, read from Redis: OAs and their tokens, backlog, dead letters,
audit, and the funnel (per hour, per day, and a summary per OA and channel)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.admin.assets import Asset
from bot.admin.audit import Recorded
from bot.admin.audit_view import describe
from bot.queues.dead_entries import INDEX_KEY
from bot.queues.ready import due_counts
from bot.services import Services
from bot.verification.funnel import STEPS, percentile
from bot.web.health import STAGES
from bot.worker.dead_letters import DeadLetter, DeadLetters
from bot.zalo.sending import Sending
from bot.zalo.token_admin import storage_of

CHANNELS = ("any", "sms", "zalo")
SHOWN = 20


@dataclass(frozen=True)
class OaState:
    """One OA as an operator needs it: linked?, its App's token, whether it can send."""

    asset: Asset
    app_id: str
    token: str  # "stored, expires ..." / "not stored"
    token_expires_at: float | None
    sending: str


def sending_state(services: Services, oa_id: str) -> str:
    """Whether the OA can send now: stopped when unlinked, else its held/ok state (why and
    since when while held)."""
    asset = services.assets.get("oa", oa_id)
    if asset is not None and not asset.linked:
        return "stopped (unlinked)"
    view = Sending(services.redis, oa_id).read().as_json()
    if view["state"] == "ok":
        return "ok"
    return f"{view['state']} since {view['since']}: {view['reason']}"


def app_of(services: Services, asset: Asset) -> str:
    """The App whose tokens speak for the OA: configured, else the one it granted by OAuth
    ('' when neither)."""
    apps = services.registry.apps.values()
    return next((app.app_id for app in apps if app.oa_id == asset.asset_id), asset.app_id)


def oa_states(services: Services) -> list[OaState]:
    """Every OA of the registry with its token and sending state."""
    states = []
    for asset in services.assets.all("oa"):
        app_id = app_of(services, asset)
        pair = storage_of(services, asset.asset_id, app_id).load() if app_id else None
        token = "not stored" if pair is None else "stored"
        if pair is not None and pair.expires_at <= time.time():
            token = "stored, access token expired (refreshed at the next send)"
        expires = pair.expires_at if pair is not None else None
        sending = sending_state(services, asset.asset_id)
        states.append(OaState(asset, app_id, token, expires, sending))
    return states


def oa_ids(services: Services) -> list[str]:
    """The OAs whose funnel is shown (every OA the registry knows)."""
    found = [a.asset_id for a in services.assets.all("oa")]
    return found or [services.registry.main.oa_id]


def backlog(services: Services) -> dict[str, Any]:
    """Users due at each stage, jobs per RQ queue, dead letters waiting."""
    return {
        "due": due_counts(services.redis, STAGES),
        "queues": {name: queue.count for name, queue in services.queues.items()},
        "dead_letters": int(services.redis.zcard(INDEX_KEY)),
    }


def dead_letters(services: Services) -> list[DeadLetter]:
    """The newest dead letters."""
    return DeadLetters(services.redis).latest(SHOWN)


def audit(services: Services) -> tuple[list[str], list[str]]:
    """(the newest admin entries, the newest refusals), newest first, each told as admins
    read it in chat (`/audit`): who did what, how, with what result, without payloads."""
    settings = services.settings
    lang, zone = settings.bot_language, settings.bot_timezone

    def told(entries: list[Recorded]) -> list[str]:
        return [describe(entry, lang, zone) for entry in reversed(entries)]

    return told(services.audit.latest(SHOWN)), told(services.audit.latest(SHOWN, refused=True))


def series(points: list[tuple[int, dict[str, int]]]) -> dict[str, Any]:
    """Chart data: times, and per step the counts summed over channels."""
    by_step = {step: [sum_step(counts, step) for _, counts in points] for step in STEPS}
    return {"t": [t for t, _ in points], "steps": by_step}


def sum_step(counts: dict[str, int], step: str) -> int:
    """A step's count over every channel (failed: over every reason)."""
    if step == "failed":
        return sum(v for k, v in counts.items() if k.split("|")[1:2] == ["failed"])
    return sum(counts.get(f"{channel}|{step}", 0) for channel in CHANNELS)


def summary(services: Services, days: int) -> list[dict[str, Any]]:
    """One row per OA and channel seen in the last `days` days: steps, failures by reason,
    p50/p95 time to verify (bucket bounds), spend."""
    funnel = services.verifier.funnel
    rows = []
    for oa_id in oa_ids(services):
        counts = totals(funnel.days([oa_id], days))
        for channel in CHANNELS:
            row: dict[str, Any] = {step: counts.get(f"{channel}|{step}", 0) for step in STEPS}
            prefix = f"{channel}|failed|"
            reasons = {k[len(prefix) :]: v for k, v in counts.items() if k.startswith(prefix)}
            row["failed"] = sum(reasons.values())
            if not any(row.values()):
                continue
            row |= {"oa": oa_id, "channel": channel, "reasons": reasons}
            row["p50"] = percentile(counts, channel, 0.5)
            row["p95"] = percentile(counts, channel, 0.95)
            row["spend_vnd"] = counts.get(f"{channel}|spend_vnd", 0)
            rows.append(row)
    return rows


def totals(points: list[tuple[int, dict[str, int]]]) -> dict[str, int]:
    """The counts of several periods added up."""
    summed: dict[str, int] = {}
    for _, counts in points:
        for field, value in counts.items():
            summed[field] = summed.get(field, 0) + value
    return summed


def funnel_data(services: Services) -> dict[str, Any]:
    """Everything the charts and tables of the funnel need, as JSON."""
    funnel = services.verifier.funnel
    oas = oa_ids(services)
    return {
        "generated_at": time.time(),
        "day": series(funnel.hours(oas, 24)),
        "week": series(funnel.days(oas, 7)),
        "summary_day": summary(services, 1),
        "summary_week": summary(services, 7),
    }
