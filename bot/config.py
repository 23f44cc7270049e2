"""Settings: defaults, then the environment, then a test mapping; validated once."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Ids of the built-in sandbox app and OA: numeric strings like Zalo's, obviously fake.
SANDBOX_APP_ID = "1000000000000000001"
SANDBOX_OA_ID = "2000000000000000002"
SANDBOX_OA_SECRET_KEY = "sandbox-oa-secret-key"
SANDBOX_OTP_HASH_KEY = "sandbox-otp-hash-key"
# Any of these set means "real Zalo credentials": sandbox is then off unless forced.
CREDENTIAL_VARS = ("ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_ID", "ZALO_OA_SECRET_KEY")
REQUIRED_OUTSIDE_SANDBOX = CREDENTIAL_VARS + ("OTP_HASH_KEY",)
SMS_PROVIDERS = ("console", "http", "esms", "speedsms", "twilio")
SMS_PROVIDER_VARS = {
    "console": (),
    "http": ("SMS_HTTP_URL",),
    "esms": ("ESMS_API_KEY", "ESMS_SECRET_KEY"),
    "speedsms": ("SPEEDSMS_TOKEN",),
    "twilio": ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"),
}


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def var(default: Any, doc: str, secret: bool = False, shown: str = "") -> Any:
    """Declare a setting with its default and a one-line description for the README
    (`shown`: how to describe a default that depends on other settings)."""
    return field(default=default, metadata={"doc": doc, "secret": secret, "shown": shown})


@dataclass(frozen=True)
class Settings:
    """Every setting of the bot; attribute names are the lower-cased variable names."""

    redis_url: str = var("", "Redis for state and queues (`make run`: embedded)")
    zalo_app_id: str = var("", "App ID")
    zalo_app_secret: str = var("", "App secret key (OAuth refresh)", secret=True)
    zalo_oa_id: str = var("", "OA id")
    zalo_oa_secret_key: str = var("", "OA secret key (webhook signature)", secret=True)
    zalo_extra_apps: tuple[str, ...] = var(
        (), "further apps whose events are accepted: `app_id:oa_secret_key,...`", True
    )
    zalo_access_token: str = var("", "first access token; rotated ones live in Redis", True)
    zalo_refresh_token: str = var("", "first refresh token; rotated ones live in Redis", True)
    zalo_openapi_url: str = var("https://openapi.zalo.me", "OA API base")
    zalo_oauth_url: str = var("https://oauth.zaloapp.com", "OAuth base")
    zalo_business_url: str = var("https://business.openapi.zalo.me", "ZNS base")
    zalo_site_verification: str = var(
        "", "code of the domain verification file Zalo gives (served at /zalo_verifier<code>.html)"
    )
    zns_otp_template_id: str = var("", "approved ZNS OTP template (Zalo codes need it)")
    zns_otp_param: str = var("otp", "the template's code parameter")
    zns_mode: str = var("", "`development` sends only to OA admins")
    sms_provider: str = var(
        "",
        "`console`, `http`, `esms`, `speedsms`, `twilio`",
        shown="`console` in sandbox; required outside",
    )
    sms_http_url: str = var("", "generic JSON SMS gateway URL")
    sms_http_token: str = var("", "generic gateway Bearer token", secret=True)
    esms_api_key: str = var("", "eSMS.vn API key", secret=True)
    esms_secret_key: str = var("", "eSMS.vn secret key", secret=True)
    esms_brandname: str = var("", "eSMS.vn brandname")
    esms_sms_type: str = var("2", "eSMS.vn SmsType (2 brandname, 8 fixed number)")
    esms_url: str = var("https://rest.esms.vn", "eSMS.vn base")
    speedsms_token: str = var("", "SpeedSMS token", secret=True)
    speedsms_sender: str = var("", "SpeedSMS sender")
    speedsms_url: str = var("https://api.speedsms.vn", "SpeedSMS base")
    twilio_account_sid: str = var("", "Twilio account SID")
    twilio_auth_token: str = var("", "Twilio auth token", secret=True)
    twilio_from: str = var("", "Twilio sender number")
    twilio_url: str = var("https://api.twilio.com", "Twilio base")
    admin_zalo_ids: tuple[str, ...] = var((), "comma-separated admin user ids")
    portal_api_key: str = var("", "Bearer key of the portal API (unset: API answers 401)", True)
    portal_callback_url: str = var("", "POSTed on each verification success")
    portal_callback_secret: str = var("", "HMAC-SHA256 key of the callback", secret=True)
    otp_hash_key: str = var("", "key for hashing codes at rest", True)
    otp_sms_ttl_seconds: int = var(300, "SMS code validity")
    otp_zalo_ttl_seconds: int = var(120, "Zalo code validity")
    otp_max_attempts: int = var(5, "wrong codes before the lock")
    otp_lock_seconds: int = var(1800, "lock duration")
    otp_resend_cooldown_seconds: int = var(60, "wait between two sends")
    otp_allowed_regions: tuple[str, ...] = var(("VN",), "comma-separated phone regions")
    otp_sends_per_phone_hour: int = var(5, "codes per number per hour")
    otp_sends_per_phone_day: int = var(10, "codes per number per day")
    otp_sends_per_account_day: int = var(10, "codes per account per day")
    sms_global_per_minute: int = var(60, "SMS ceiling for the whole bot per minute")
    bot_language: str = var("vi", "`vi` or `en`")
    bot_timezone: str = var("Asia/Ho_Chi_Minh", "time zone of times shown to users")
    bot_oa_name: str = var("", "the OA's name in greetings", shown="the registry's name of the OA")
    zalo_share_info_image_url: str = var(
        "", "image of the 'share your phone' form (unset: the form is not offered)"
    )
    bot_sandbox: bool = var(
        False,
        "`1`: nothing leaves the machine",
        shown="`1` when no Zalo credentials are set, else `0`",
    )
    conversation_idle_seconds: int = var(900, "idle time after which a dialogue restarts")
    webhook_max_body_bytes: int = var(65536, "larger webhook bodies get 413")
    http_timeout_seconds: float = var(10.0, "timeout of every outbound HTTP call")
    worker_class: str = var("simple", "`simple` (jobs in the worker process) or `fork`")
    log_level: str = var("INFO", "`DEBUG`, `INFO`, `WARNING`...")
    log_format: str = var("json", "`json` (one object a line) or `text`")

    @property
    def sms_provider_name(self) -> str:
        """The SMS provider in effect (console in sandbox)."""
        return "console" if self.bot_sandbox else self.sms_provider


def env_name(f: dataclasses.Field[Any]) -> str:
    """The environment variable of a settings field."""
    return f.name.upper()


def convert(name: str, raw: Any, kind: Any) -> Any:
    """Turn an environment string (or test value) into the field's type."""
    if not isinstance(raw, str):
        return tuple(raw) if kind == "tuple[str, ...]" else raw
    text = raw.strip()
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {text!r}") from None
    if kind == "bool":
        if text.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off", ""):
            raise ConfigError(f"{name} must be 1 or 0, got {text!r}")
        return text.lower() in ("1", "true", "yes", "on")
    if kind == "tuple[str, ...]":
        return tuple(part.strip() for part in text.split(",") if part.strip())
    return text


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Defaults, then the environment, then overrides (test mapping); validated."""
    environ = os.environ if environ is None else environ
    given = {**{k: v for k, v in environ.items() if v != ""}, **(overrides or {})}
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        if env_name(f) in given:
            values[f.name] = convert(env_name(f), given[env_name(f)], f.type)
    if "BOT_SANDBOX" not in given:
        values["bot_sandbox"] = not any(given.get(name) for name in CREDENTIAL_VARS)
    if values.get("bot_sandbox", False):
        values = {**sandbox_defaults(), **values}
        if not values.get("redis_url"):  # `flask chat` beside a running `make run`
            values["redis_url"] = local_redis_url(environ)
    settings = Settings(**values)
    validate(settings)
    return settings


def local_redis_url_file(environ: Mapping[str, str]) -> Path:
    """Where `make run` notes the URL of its embedded Redis while it runs."""
    return Path(environ.get("BOT_LOCAL_DIR") or ".local").resolve() / "redis.url"


def local_redis_url(environ: Mapping[str, str]) -> str:
    """The URL of a running `make run`'s embedded Redis ('' when none runs)."""
    try:
        return local_redis_url_file(environ).read_text().strip()
    except OSError:
        return ""


def sandbox_defaults() -> dict[str, Any]:
    """Stand-in credentials so the sandbox runs the real signature and hashing code."""
    return {
        "zalo_app_id": SANDBOX_APP_ID,
        "zalo_oa_id": SANDBOX_OA_ID,
        "zalo_oa_secret_key": SANDBOX_OA_SECRET_KEY,
        "otp_hash_key": SANDBOX_OTP_HASH_KEY,
        "zns_otp_template_id": "sandbox-otp-template",
        "zalo_share_info_image_url": "https://example.invalid/share-phone.png",
    }


def validate(settings: Settings) -> None:
    """Raise ConfigError naming the first missing or malformed setting."""
    if not settings.redis_url:
        raise ConfigError(
            "REDIS_URL is required (make run starts an embedded Redis; in sandbox mode, the "
            "flask commands use the one of a running make run)"
        )
    if settings.bot_language not in ("vi", "en"):
        raise ConfigError(f"BOT_LANGUAGE must be vi or en, got {settings.bot_language!r}")
    if settings.worker_class not in ("simple", "fork"):
        raise ConfigError(f"WORKER_CLASS must be simple or fork, got {settings.worker_class!r}")
    if settings.bot_sandbox:
        return
    for name in REQUIRED_OUTSIDE_SANDBOX:
        if not getattr(settings, name.lower()):
            raise ConfigError(f"{name} is required outside sandbox mode")
    if settings.sms_provider not in SMS_PROVIDERS:
        raise ConfigError(f"SMS_PROVIDER must be one of {', '.join(SMS_PROVIDERS)}")
    for name in SMS_PROVIDER_VARS[settings.sms_provider]:
        if not getattr(settings, name.lower()):
            raise ConfigError(f"{name} is required with SMS_PROVIDER={settings.sms_provider}")
