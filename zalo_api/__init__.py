"""The Zalo platform: webhook signature, typed events, OA / ZNS / OAuth clients, errors.

Knows no Flask, no Redis, no RQ, and reads no environment: every client takes its base URL.
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
    ZaloRefreshBackoffError,
    ZaloRefreshBusyError,
    ZaloTokenMissingError,
)
from zalo_api.events import (
    Attachment,
    Event,
    Follow,
    OAEcho,
    Receipt,
    SubmittedInfo,
    Unfollow,
    Unknown,
    UserAttachment,
    UserClickChatNow,
    UserEvent,
    UserSubmitInfo,
    UserText,
    UserWithdraw,
    parse_event,
)
from zalo_api.oa import OAClient, UserDetail
from zalo_api.oauth import OAuthClient, TokenPair
from zalo_api.signature import compute_signature, sign, verify_signature
from zalo_api.text import MAX_TEXT_CHARS, split_text
from zalo_api.tokens import (
    InMemoryTokenStorage,
    RefreshLock,
    ThreadRefreshLock,
    TokenManager,
    TokenRefresher,
    TokenStorage,
)
from zalo_api.zns import ZNSClient, ZNSResult, normalize_zns_phone

__all__ = [
    "Attachment",
    "BadSignatureError",
    "Event",
    "EventParseError",
    "Follow",
    "InMemoryTokenStorage",
    "MAX_TEXT_CHARS",
    "MalformedBodyError",
    "MissingSignatureError",
    "OAClient",
    "OAEcho",
    "OAuthClient",
    "Receipt",
    "RefreshLock",
    "SignatureError",
    "SubmittedInfo",
    "ThreadRefreshLock",
    "TokenManager",
    "TokenPair",
    "TokenRefresher",
    "TokenStorage",
    "Unfollow",
    "Unknown",
    "UserAttachment",
    "UserClickChatNow",
    "UserDetail",
    "UserEvent",
    "UserSubmitInfo",
    "UserText",
    "UserWithdraw",
    "ZNSClient",
    "ZNSResult",
    "ZaloAPIError",
    "ZaloError",
    "ZaloHTTPError",
    "ZaloNetworkError",
    "ZaloOAuthError",
    "ZaloRefreshBackoffError",
    "ZaloRefreshBusyError",
    "ZaloTokenMissingError",
    "compute_signature",
    "normalize_zns_phone",
    "parse_event",
    "sign",
    "split_text",
    "verify_signature",
]
