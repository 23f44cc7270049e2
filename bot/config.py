"""Settings: defaults, then the environment, then a test mapping; validated once."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Ids of the built-in sandbox app and OA: numeric strings like Zalo's, obviously fake.
SANDBOX_APP_ID = "1000000000000000001"
SANDBOX_OA_ID = "2000000000000000002"
SANDBOX_OA_SECRET_KEY = "sandbox-oa-secret-key"
SANDBOX_OTP_HASH_KEY = "sandbox-otp-hash-key"
SANDBOX_ADMIN_SESSION_SECRET = "sandbox-admin-session-secret"
# Shorter keys can be guessed offline from one signed value.
MIN_SECRET_CHARS = 24
# The Zalo credentials: `make run` starts a sandbox (BOT_SANDBOX=1) when none is set.
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
    redis_sentinels: tuple[str, ...] = var(
        (), "`host:port,...` of Redis Sentinels: state and queues follow failovers (not REDIS_URL)"
    )
    redis_sentinel_master: str = var("", "the master's name in Sentinel (with REDIS_SENTINELS)")
    redis_sentinel_password: str = var(
        "", "password of the Sentinels and of the Redis servers they manage", secret=True
    )
    zalo_app_id: str = var("", "App ID")
    zalo_app_secret: str = var("", "App secret key (OAuth refresh)", secret=True)
    zalo_oa_id: str = var("", "OA id")
    zalo_oa_secret_key: str = var("", "OA secret key (webhook signature)", secret=True)
    zalo_extra_apps: tuple[str, ...] = var(
        (),
        "further apps whose events are accepted: `app_id:oa_secret_key[:oa_id],...` (an app "
        "without `oa_id` serves no OA: its events are acknowledged and ignored)",
        True,
    )
    zalo_access_token: str = var("", "first access token; rotated ones live in Redis", True)
    zalo_refresh_token: str = var("", "first refresh token; rotated ones live in Redis", True)
    zalo_openapi_url: str = var("https://openapi.zalo.me", "OA API base")
    zalo_oauth_url: str = var("https://oauth.zaloapp.com", "OAuth base")
    zalo_business_url: str = var("https://business.openapi.zalo.me", "ZNS base")
    public_base_url: str = var(
        "",
        "where Zalo's OAuth redirect and the admin page reach this deployment "
        "(`https://bot.example.vn`; `flask oa connect` needs it)",
    )
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
    admin_session_secret: str = var(
        "",
        "signs the admin page's session cookie (24+ characters); the page (`/admin`) is served "
        "only when it is set",
        True,
        shown="a fixed one in sandbox",
    )
    admin_password_hash: str = var(
        "",
        "the admin page's password as a werkzeug hash (`python -c 'from werkzeug.security "
        "import generate_password_hash as g; print(g(input()))'`); unset: one-time links only",
        True,
    )
    portal_api_key: str = var("", "Bearer key of the portal API (unset: API answers 401)", True)
    portal_callback_url: str = var("", "POSTed on each verification success")
    portal_callback_secret: str = var("", "HMAC-SHA256 key of the callback", secret=True)
    link_code_ttl_seconds: int = var(900, "validity of a portal link code")
    otp_hash_key: str = var("", "key for hashing codes at rest", True)
    otp_sms_ttl_seconds: int = var(300, "SMS code validity")
    otp_zalo_ttl_seconds: int = var(120, "Zalo code validity")
    otp_max_attempts: int = var(5, "wrong codes before the lock")
    otp_lock_seconds: int = var(1800, "lock duration")
    otp_resend_cooldown_seconds: int = var(60, "wait between two sends")
    otp_allowed_regions: tuple[str, ...] = var(("VN",), "comma-separated phone regions")
    otp_sends_per_account_phone_hour: int = var(
        3, "codes per account and number per hour (counted before the number's shared budget)"
    )
    otp_sends_per_phone_hour: int = var(10, "codes per number per hour, over all accounts")
    otp_sends_per_phone_day: int = var(20, "codes per number per day, over all accounts")
    otp_sends_per_account_day: int = var(10, "codes per account per day")
    otp_numbers_per_account_hour: int = var(3, "different numbers one account may try per hour")
    otp_numbers_per_account_day: int = var(6, "different numbers one account may try per day")
    otp_number_max_attempts: int = var(
        10, "wrong codes against one number over all accounts per `OTP_LOCK_SECONDS`"
    )
    sms_global_per_minute: int = var(60, "SMS ceiling for the whole bot per minute")
    zns_global_per_minute: int = var(60, "Zalo-code ceiling for the whole bot per minute")
    sms_price_vnd: int = var(0, "price of one SMS code in VND, for the estimated spend")
    zns_price_vnd: int = var(0, "price of one ZNS code in VND, for the estimated spend")
    zns_delivery_wait_seconds: int = var(
        30, "wait for a Zalo code's delivery receipt before asking Zalo and offering SMS"
    )
    otp_sms_template: str = var(
        "",
        "SMS text, `{code}` and `{minutes}` filled in (brandname templates must match it)",
        shown="built-in vi/en text",
    )
    bot_language: str = var("vi", "`vi` or `en`")
    bot_timezone: str = var("Asia/Ho_Chi_Minh", "time zone of times shown to users")
    bot_oa_name: str = var("", "the OA's name in greetings", shown="the registry's name of the OA")
    bot_texts_file: str = var(
        "",
        "TOML file of the bot's texts by key and language (register, brand), checked at "
        "start-up; see [Texts an operator can tune](#texts-an-operator-can-tune)",
    )
    zalo_share_info_image_url: str = var(
        "", "image of the 'share your phone' form (unset: the form is not offered)"
    )
    bot_sandbox: bool = var(
        False,
        "`1`: nothing leaves the machine; simulator on (loopback only); never on a production "
        "Redis. Only when asked for: without it, missing Zalo credentials stop start-up",
        shown="`0` (`make run`: `1` without Zalo credentials)",
    )
    simulator_allow_remote: bool = var(
        False, "`1`: the sandbox simulator also answers other machines (loopback only otherwise)"
    )
    conversation_idle_seconds: int = var(900, "idle time after which a dialogue restarts")
    webhook_max_body_bytes: int = var(65536, "larger webhook bodies get 413")
    webhook_max_age_seconds: int = var(
        86400, "events whose body `timestamp` is older are acknowledged and ignored"
    )
    unverified_retention_days: int = var(
        30,
        "days kept of what may hold a number never verified (dead letters); the working "
        "records of a verification expire within 2 days",
    )
    audit_retention_days: int = var(365, "days audit entries are kept")
    http_timeout_seconds: float = var(10.0, "timeout of every outbound HTTP call")
    forwarded_allow_ips: tuple[str, ...] = var(
        ("127.0.0.1", "::1"),
        "addresses or networks of the reverse proxy: only their `X-Forwarded-For` and "
        "`-Proto` are believed (gunicorn and the app; `*`: anyone's)",
    )
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
    # Never a sandbox by default: a deploy whose credentials are missing or misnamed must stop
    # with the variable's name, not come up as a public sandbox.
    if values.get("bot_sandbox", False):
        values = {**sandbox_defaults(), **values}
        if not values.get("redis_url") and not values.get("redis_sentinels"):
            # `flask chat` beside a running `make run`
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
        "admin_session_secret": SANDBOX_ADMIN_SESSION_SECRET,
        "zns_otp_template_id": "sandbox-otp-template",
        "zalo_share_info_image_url": "https://example.invalid/share-phone.png",
    }


def validate_redis(settings: Settings) -> None:
    """Raise ConfigError unless exactly one way to Redis is configured, and well formed."""
    if settings.redis_sentinels and settings.redis_url:
        raise ConfigError("set REDIS_URL or REDIS_SENTINELS, not both")
    if settings.redis_sentinel_master and not settings.redis_sentinels:
        raise ConfigError("REDIS_SENTINELS is required with REDIS_SENTINEL_MASTER")
    if settings.redis_sentinels and not settings.redis_sentinel_master:
        raise ConfigError("REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS")
    for entry in settings.redis_sentinels:
        host, _, port = entry.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"REDIS_SENTINELS must be host:port,..., got {entry!r}")
    if not settings.redis_url and not settings.redis_sentinels:
        raise ConfigError(
            "REDIS_URL (or REDIS_SENTINELS) is required (make run starts an embedded Redis; in "
            "sandbox mode, the flask commands use the one of a running make run)"
        )


def validate(settings: Settings) -> None:
    """Raise ConfigError naming the first missing or malformed setting."""
    validate_redis(settings)
    if settings.bot_language not in ("vi", "en"):
        raise ConfigError(f"BOT_LANGUAGE must be vi or en, got {settings.bot_language!r}")
    validate_numbers(settings)
    validate_sms_template(settings.otp_sms_template)
    for entry in settings.zalo_extra_apps:
        split_extra_app(entry)
    validate_forwarded_allow_ips(settings.forwarded_allow_ips)
    if settings.bot_sandbox:
        return
    for name in REQUIRED_OUTSIDE_SANDBOX:
        if not getattr(settings, name.lower()):
            raise ConfigError(f"{name} is required outside sandbox mode")
    validate_secrets(settings)
    validate_shared_budgets(settings)
    validate_sms_provider(settings)
    validate_public_base_url(settings.public_base_url)
    validate_admin_page(settings)


def validate_admin_page(settings: Settings) -> None:
    """The admin page's cookie key is long enough; a password needs the page to be on."""
    secret = settings.admin_session_secret
    if secret and len(secret) < MIN_SECRET_CHARS:
        raise ConfigError(f"ADMIN_SESSION_SECRET must be at least {MIN_SECRET_CHARS} characters")
    if settings.admin_password_hash and not secret:
        raise ConfigError("ADMIN_SESSION_SECRET is required with ADMIN_PASSWORD_HASH")


def validate_public_base_url(url: str) -> None:
    """Zalo redirects only to https addresses on a verified domain (no path, query or slash
    games: the callback URL saved in Zalo's console must match byte for byte)."""
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"PUBLIC_BASE_URL must be an https:// address, got {url!r}")


STRONG_SECRETS = ("PORTAL_API_KEY", "PORTAL_CALLBACK_SECRET", "OTP_HASH_KEY")


def validate_shared_budgets(settings: Settings) -> None:
    """Outside sandbox: one account's own budgets stay below a number's shared ones, or a
    stranger alone could use a number up and keep its holder from a code."""
    pairs = (
        ("OTP_SENDS_PER_ACCOUNT_PHONE_HOUR", "OTP_SENDS_PER_PHONE_HOUR"),
        ("OTP_SENDS_PER_ACCOUNT_DAY", "OTP_SENDS_PER_PHONE_DAY"),
    )
    for own, shared in pairs:
        if getattr(settings, own.lower()) >= getattr(settings, shared.lower()):
            raise ConfigError(f"{own} must be less than {shared}")


def validate_secrets(settings: Settings) -> None:
    """Outside sandbox: a callback is signed with a real secret, and no key is short."""
    if settings.portal_callback_url and not settings.portal_callback_secret:
        raise ConfigError("PORTAL_CALLBACK_SECRET is required with PORTAL_CALLBACK_URL")
    for name in STRONG_SECRETS:
        value = getattr(settings, name.lower())
        if value and len(value) < MIN_SECRET_CHARS:
            raise ConfigError(f"{name} must be at least {MIN_SECRET_CHARS} characters")


# Settings that make no sense at zero or below (a zero lock or window disables a guard).
POSITIVE_SETTINGS = (
    "OTP_SMS_TTL_SECONDS",
    "OTP_ZALO_TTL_SECONDS",
    "ZNS_DELIVERY_WAIT_SECONDS",
    "OTP_MAX_ATTEMPTS",
    "OTP_LOCK_SECONDS",
    "OTP_NUMBER_MAX_ATTEMPTS",
    "OTP_SENDS_PER_ACCOUNT_PHONE_HOUR",
    "OTP_NUMBERS_PER_ACCOUNT_HOUR",
    "OTP_NUMBERS_PER_ACCOUNT_DAY",
    "WEBHOOK_MAX_AGE_SECONDS",
    "WEBHOOK_MAX_BODY_BYTES",
    "AUDIT_RETENTION_DAYS",
)
# The working records of a verification (dialogue, live code, send counts) live up to 2 days.
MIN_UNVERIFIED_RETENTION_DAYS = 2


def split_extra_app(entry: str) -> tuple[str, str, str | None]:
    """(app_id, oa_secret_key, oa_id or None) of one `app_id:oa_secret_key[:oa_id]` entry."""
    parts = [part.strip() for part in entry.split(":")]
    if len(parts) not in (2, 3) or not all(parts):
        # The entry holds a secret: name the variable, never echo the value.
        raise ConfigError("ZALO_EXTRA_APPS entries must be app_id:oa_secret_key[:oa_id]")
    return parts[0], parts[1], (parts[2] if len(parts) == 3 else None)


def validate_forwarded_allow_ips(entries: tuple[str, ...]) -> None:
    """Each entry an address, a network or `*` (a typo would silently trust nobody)."""
    for entry in entries:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                f"FORWARDED_ALLOW_IPS must be addresses or networks (or *), got {entry!r}"
            ) from None


def validate_numbers(settings: Settings) -> None:
    """Guards that only work with a positive value."""
    for name in POSITIVE_SETTINGS:
        if getattr(settings, name.lower()) <= 0:
            raise ConfigError(f"{name} must be greater than 0")
    if settings.unverified_retention_days < MIN_UNVERIFIED_RETENTION_DAYS:
        raise ConfigError(
            f"UNVERIFIED_RETENTION_DAYS must be at least {MIN_UNVERIFIED_RETENTION_DAYS} "
            "(the records of a verification in progress live up to 2 days)"
        )
    if settings.zns_delivery_wait_seconds >= settings.otp_zalo_ttl_seconds:
        # The SMS offer must come while the Zalo code is still awaited.
        raise ConfigError("ZNS_DELIVERY_WAIT_SECONDS must be less than OTP_ZALO_TTL_SECONDS")
    if settings.otp_number_max_attempts <= settings.otp_max_attempts:
        # Else one account's own wrong codes would lock the number for its holder.
        raise ConfigError("OTP_NUMBER_MAX_ATTEMPTS must be greater than OTP_MAX_ATTEMPTS")


def validate_sms_template(template: str) -> None:
    """OTP_SMS_TEMPLATE must show {code} and may use only {code} and {minutes}."""
    if not template:
        return
    try:
        template.format(code="000000", minutes=5)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"OTP_SMS_TEMPLATE may use only {{code}} and {{minutes}} ({type(exc).__name__})"
        ) from None
    if "{code}" not in template:
        raise ConfigError("OTP_SMS_TEMPLATE must contain {code}")


def validate_sms_provider(settings: Settings) -> None:
    """An SMS provider that can actually deliver codes outside sandbox mode."""
    provider = settings.sms_provider
    if provider not in SMS_PROVIDERS:
        raise ConfigError(f"SMS_PROVIDER must be one of {', '.join(SMS_PROVIDERS)}")
    if provider == "console":
        # Outside sandbox nobody reads the console inbox: codes would never be delivered.
        raise ConfigError("SMS_PROVIDER=console works only in sandbox mode (BOT_SANDBOX=1)")
    for name in SMS_PROVIDER_VARS[provider]:
        if not getattr(settings, name.lower()):
            raise ConfigError(f"{name} is required with SMS_PROVIDER={provider}")
    if provider == "esms" and settings.esms_sms_type == "2" and not settings.esms_brandname:
        # eSMS refuses every SmsType 2 send without a brandname (error 104).
        raise ConfigError("ESMS_BRANDNAME is required with ESMS_SMS_TYPE=2 (or set it to 8)")
