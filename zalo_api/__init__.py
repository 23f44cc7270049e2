"""The Zalo platform: webhook signature, typed events, OA / ZNS / OAuth clients, errors.

Knows no Flask, no Redis, no RQ: it could be published on its own.
"""

from zalo_api.errors import (
    BadSignatureError,
    EventParseError,
    MalformedBodyError,
    MissingSignatureError,
    SignatureError,
    ZaloAPIError,
    ZaloError,
    ZaloHTTPError,
    ZaloNetworkError,
    ZaloOAuthError,
    ZaloTokenMissingError,
)
from zalo_api.events import Event, UserEvent, parse_event
from zalo_api.oa import OAClient, UserDetail
from zalo_api.oauth import OAuthClient, TokenPair
from zalo_api.signature import compute_signature, sign, verify_signature
from zalo_api.text import split_text
from zalo_api.tokens import InMemoryTokenStorage, ThreadRefreshLock, TokenManager
from zalo_api.zns import ZNSClient, ZNSResult, normalize_zns_phone

__all__ = [
    "BadSignatureError",
    "EventParseError",
    "MalformedBodyError",
    "MissingSignatureError",
    "SignatureError",
    "ZaloAPIError",
    "ZaloError",
    "ZaloHTTPError",
    "ZaloNetworkError",
    "ZaloOAuthError",
    "ZaloTokenMissingError",
    "Event",
    "UserEvent",
    "parse_event",
    "OAClient",
    "UserDetail",
    "OAuthClient",
    "TokenPair",
    "compute_signature",
    "sign",
    "verify_signature",
    "split_text",
    "InMemoryTokenStorage",
    "ThreadRefreshLock",
    "TokenManager",
    "ZNSClient",
    "ZNSResult",
    "normalize_zns_phone",
]
