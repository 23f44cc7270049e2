"""Prometheus metrics of the bot (served at /metrics)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

# The `oa` label takes the served OAs' ids only (bot.wiring names them from the registry);
# any other id is counted as OTHER_OA, so no event can add a label of its own.
OTHER_OA = "other"
SERVED_OAS: set[str] = set()


def serve_oas(oa_ids: Iterable[str]) -> None:
    """Allow these OAs' ids as `oa` labels (a process's registry; never shrinks)."""
    SERVED_OAS.update(oa_ids)


def oa_label(oa_id: str) -> str:
    """The `oa` label of an OA id: itself when served, OTHER_OA otherwise."""
    return oa_id if oa_id in SERVED_OAS else OTHER_OA


EVENTS = Counter("bot_webhook_events_total", "Authentic webhook events, by type", ["event"])
UNVERIFIED = Counter(
    "bot_webhook_unverified_total",
    "Webhook calls that failed verification, answered 200 and ignored",
    ["reason"],
)
BAD_REQUESTS = Counter("bot_webhook_bad_requests_total", "Malformed webhook bodies", ["reason"])
DUPLICATES = Counter("bot_webhook_duplicates_total", "Redelivered events that had no effect")
IGNORED = Counter("bot_events_ignored_total", "Events acknowledged and ignored", ["reason"])
BUSY = Counter("bot_webhook_unavailable_total", "Webhook calls answered 503 (Redis down)")
WEBHOOK_LATENCY = Histogram(
    "bot_webhook_seconds",
    "Time to answer a webhook call",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0),
)
HANDLER_ERRORS = Counter("bot_handler_errors_total", "Bugs caught in conversation handlers")
REPLIES = Counter("bot_replies_total", "Replies to users, by outcome", ["outcome"])
REPLY_AGE = Histogram(
    "bot_reply_age_seconds",
    "Time from the user's event (Zalo's timestamp) to its reply accepted by Zalo",
    ["oa"],
    buckets=(0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300, 3600),
)
FLOW_TRANSITIONS = Counter(
    "bot_flow_transitions_total",
    "Committed turns that moved a dialogue from one state to another (start/end: no dialogue)",
    ["oa", "flow", "from", "to"],
)
JOB_FAILURES = Counter("bot_job_failures_total", "RQ job attempts that failed", ["job"])
OTP_SENDS = Counter(
    "bot_otp_sends_total", "Codes sent, by channel and outcome", ["channel", "outcome"]
)
VERIFICATIONS = Counter("bot_verifications_total", "Phone numbers verified", ["channel"])
LOCKOUTS = Counter("bot_verification_lockouts_total", "Verifications locked after wrong codes")
RATE_LIMITED = Counter("bot_rate_limited_total", "Code sends refused by a limit", ["limit"])
NUMBER_GANGUPS = Counter(
    "bot_number_gangup_total",
    "A number's shared limit reached by several accounts (sends, or wrong codes)",
    ["limit"],
)
SMS_CEILING = Gauge(
    "bot_sms_global_ceiling_reached",
    "1 while the global SMS ceiling is hit",
    multiprocess_mode="mostrecent",
)
ZNS_CEILING = Gauge(
    "bot_zns_global_ceiling_reached",
    "1 while the global Zalo-code ceiling is hit",
    multiprocess_mode="mostrecent",
)
SEND_CEILING = Gauge(
    "bot_send_ceiling_per_minute",
    "The configured global ceiling of code sends per minute (SMS_GLOBAL_PER_MINUTE, "
    "ZNS_GLOBAL_PER_MINUTE), for alerts on nearing it",
    ["channel"],
    multiprocess_mode="max",
)
DEAD_LETTERS = Counter(
    "bot_events_dead_lettered_total", "Inbound events set aside after failing every attempt"
)
TOKEN_REJECTED = Counter(
    "bot_zalo_token_rejected_total",
    "Zalo refused an access token just refreshed (the next refresh waits out a backoff)",
)
ZALO_REFUSALS = Counter(
    "bot_zalo_user_refusals_total",
    "Messages and codes Zalo refused because of the user (not retried), by reason",
    ["reason"],
)
ZALO_HELD = Counter(
    "bot_zalo_held_total", "Sends held because the bot could not send (no retry spent)", ["kind"]
)
REDIS_OUTAGES = Counter("bot_redis_outages_total", "Times a worker lost Redis and waited for it")
UNREPLICATED = Counter(
    "bot_writes_unreplicated_total",
    "Acknowledged writes no replica confirmed (Sentinel mode, no replica connected)",
)
# The verification funnel (bot.verification.funnel counts these and keeps per-day counts for
# the admin page). Labels stay few: oa (the registry's OAs), channel (sms, zalo, or any before
# one is chosen), step or reason; never a user or a number.
FUNNEL = Counter(
    "bot_verification_funnel_total",
    "Verifications by step: started, sent (accepted by the gateway or Zalo), delivered, "
    "verified, expired, locked, failed",
    ["oa", "channel", "step"],
)
FUNNEL_FAILURES = Counter(
    "bot_verification_failures_total",
    "Verifications that failed or were refused, by reason",
    ["oa", "channel", "reason"],
)
TIME_TO_VERIFY = Histogram(
    "bot_verification_duration_seconds",
    "Time from a code's send to the right code typed",
    ["oa", "channel"],
    buckets=(10, 20, 30, 45, 60, 90, 120, 180, 300, 600),
)
CODE_SPEND = Counter(
    "bot_code_spend_vnd_total",
    "Estimated spend on codes sent, in VND (SMS_PRICE_VND, ZNS_PRICE_VND per message)",
    ["oa", "channel"],
)
