"""SMS providers behind one small interface; build_provider picks one from the settings.

May import the core modules (bot.config) only.
"""

from __future__ import annotations

import redis
import requests

from bot.config import Settings
from bot.sms.base import (
    SmsDuplicateError,
    SmsError,
    SmsMessage,
    SmsPermanentError,
    SmsProvider,
    SmsReceipt,
    SmsTransientError,
)
from bot.sms.console import ConsoleProvider, phone_inbox_key, read_phone_inbox
from bot.sms.esms import EsmsProvider
from bot.sms.http_gateway import HttpGatewayProvider
from bot.sms.speedsms import SpeedSmsProvider
from bot.sms.twilio import TwilioProvider

__all__ = [
    "ConsoleProvider",
    "EsmsProvider",
    "HttpGatewayProvider",
    "SmsDuplicateError",
    "SmsError",
    "SmsMessage",
    "SmsPermanentError",
    "SmsProvider",
    "SmsReceipt",
    "SmsTransientError",
    "SpeedSmsProvider",
    "TwilioProvider",
    "build_provider",
    "phone_inbox_key",
    "read_phone_inbox",
]


def build_provider(
    settings: Settings, client: redis.Redis, session: requests.Session | None = None
) -> SmsProvider:
    """The provider named by settings.sms_provider_name (console in sandbox)."""
    name = settings.sms_provider_name
    timeout = settings.http_timeout_seconds
    if name == "console":
        return ConsoleProvider(client)
    if name == "http":
        return HttpGatewayProvider(
            settings.sms_http_url, settings.sms_http_token, timeout=timeout, session=session
        )
    if name == "esms":
        return EsmsProvider(
            settings.esms_url,
            settings.esms_api_key,
            settings.esms_secret_key,
            brandname=settings.esms_brandname,
            sms_type=settings.esms_sms_type,
            timeout=timeout,
            session=session,
        )
    if name == "speedsms":
        return SpeedSmsProvider(
            settings.speedsms_url,
            settings.speedsms_token,
            sender=settings.speedsms_sender,
            timeout=timeout,
            session=session,
        )
    if name == "twilio":
        return TwilioProvider(
            settings.twilio_url,
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from,
            timeout=timeout,
            session=session,
        )
    raise ValueError(f"unknown SMS provider {name!r}")
