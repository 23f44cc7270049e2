"""Prometheus metrics of the bot (served at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS = Counter("bot_webhook_events_total", "Authentic webhook events, by type", ["event"])
SIGNATURE_FAILURES = Counter(
    "bot_webhook_signature_failures_total", "Webhook calls refused for their signature", ["reason"]
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
DEAD_LETTERS = Counter(
    "bot_events_dead_lettered_total", "Inbound events set aside after failing every attempt"
)
TOKEN_REJECTED = Counter(
    "bot_zalo_token_rejected_total",
    "Zalo refused a freshly refreshed access token (no further refresh is spent; alert on it)",
)
REDIS_OUTAGES = Counter("bot_redis_outages_total", "Times a worker lost Redis and waited for it")
UNREPLICATED = Counter(
    "bot_writes_unreplicated_total",
    "Acknowledged writes no replica confirmed (Sentinel mode, no replica connected)",
)
