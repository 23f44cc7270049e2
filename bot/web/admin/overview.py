"""What the admin page shows, read from Redis: OAs and their tokens, backlog, dead letters,
audit, and the funnel (per hour, per day, and a summary per OA and channel)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.admin.audit import Recorded
from bot.admin.audit_view import describe
from bot.oas import SERVED, UNLINKED
from bot.queues.dead_entries import INDEX_KEY
from bot.queues.ready import due_counts
from bot.services import Services
from bot.verification.funnel import STEPS, percentile
from bot.web.health import STAGES
from bot.worker.dead_letters import DeadLetter, DeadLetters
from bot.zalo.sending import Sending
from bot.zalo.token_admin import storage_of
from bot.zalo.token_status import Status, TokenStatus, token_state
from zalo_api.oauth import TokenPair

CHANNELS = ("any", "sms", "zalo")
SHOWN = 20


@dataclass(frozen=True)
class OaState:
    """One OA as an operator needs it: served or not, its App, its tokens, whether it can
    send."""

    oa_id: str
    name: str
    status: str  # SERVED, or why not: unlinked, or its App is not configured here
    app_id: str
    token: str  # "stored", "not stored", "refused: ..."
    token_expires_at: float | None
    refresh_result: str  # the last refresh: "ok", the error's kind and code, or "never"
    refresh_at: float | None
    sending: str


@dataclass(frozen=True)
class KnownOa:
    """An OA the page shows: every served one, and the registry's others (unlinked ones)."""

    oa_id: str
    name: str
    app_id: str
    status: str


def known_oas(services: Services) -> list[KnownOa]:
    """The served OAs (the live registry: configured, extra apps' and connected ones; the
    main OA first), then the asset registry's OAs not served (unlinked)."""
    assets = {a.asset_id: a for a in services.assets.all("oa")}
    found = []
    for oa in services.registry.all():
        asset = assets.pop(oa.oa_id, None)
        found.append(KnownOa(oa.oa_id, asset.name if asset else oa.name, oa.app_id, SERVED))
    for asset in assets.values():
        configured = services.registry.configured.get(asset.asset_id)
        app_id = configured.app_id if configured is not None else asset.app_id
        status = UNLINKED if not asset.linked else "not served (its App is not configured)"
        found.append(KnownOa(asset.asset_id, asset.name, app_id, status))
    return found


def sending_state(services: Services, oa: KnownOa) -> str:
    """Whether the OA can send now: stopped when not served, else its held/ok state (why
    and since when while held)."""
    if oa.status != SERVED:
        return f"stopped ({oa.status})"
    view = Sending(services.redis, oa.oa_id).read().as_json()
    if view["state"] == "ok":
        return "ok"
    return f"{view['state']} since {view['since']}: {view['reason']}"


def token_text(pair: TokenPair | None, status: Status, now: float) -> str:
    """The OA's tokens in words (never a token): what an operator has to do, if anything."""
    state = token_state(pair, status, now)
    if state == "missing":
        return "not stored"
    if state == "refused":
        return "refused: a new pair is needed (flask zalo tokens set, or Connect an OA)"
    if pair is not None and pair.expires_at <= now:
        if state == "expired":
            return "access token expired, no refresh token: a new pair is needed"
        return "stored, access token expired (refreshed at the next send)"
    return "stored"


def oa_state(services: Services, oa: KnownOa, now: float) -> OaState:
    """One OA's row: its tokens (stored pair and refresh history) and sending state."""
    pair = storage_of(services, oa.oa_id, oa.app_id).load() if oa.app_id else None
    status = TokenStatus(services.redis, oa.app_id, oa.oa_id).read() if oa.app_id else Status()
    return OaState(
        oa_id=oa.oa_id,
        name=oa.name,
        status=oa.status,
        app_id=oa.app_id,
        token=token_text(pair, status, now),
        token_expires_at=pair.expires_at if pair is not None else None,
        refresh_result=status.refresh_result or "never",
        refresh_at=status.refresh_at or None,
        sending=sending_state(services, oa),
    )


def oa_states(services: Services) -> list[OaState]:
    """Every OA the page shows, with its tokens and sending state."""
    now = time.time()
    return [oa_state(services, oa, now) for oa in known_oas(services)]


def oa_ids(services: Services) -> list[str]:
    """The OAs whose funnel is shown (every OA served now or known to the registry)."""
    return [oa.oa_id for oa in known_oas(services)]


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
    for oa in known_oas(services):
        counts = totals(funnel.days([oa.oa_id], days))
        for channel in CHANNELS:
            row: dict[str, Any] = {step: counts.get(f"{channel}|{step}", 0) for step in STEPS}
            prefix = f"{channel}|failed|"
            reasons = {k[len(prefix) :]: v for k, v in counts.items() if k.startswith(prefix)}
            row["failed"] = sum(reasons.values())
            if not any(row.values()):
                continue
            row |= {"oa": oa.oa_id, "oa_name": oa.name, "channel": channel, "reasons": reasons}
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
