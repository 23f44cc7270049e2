"""Masking of personal data for logs and replies."""

from __future__ import annotations

import hashlib
import re

# Phone-looking runs in free text: E.164 (+84912345678), 84912345678, 0912345678.
# Zalo user ids are 18-19 digits, so the digit guards keep them out of these patterns.
PHONE_IN_TEXT = re.compile(r"(?<![\d*])(\+\d{8,14}|84\d{9}|0\d{9})(?!\d)")


def mask_phone(phone: str) -> str:
    """Mask a phone for logs: '+84912345678' -> '+8491*****78'."""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:5] + "*" * (len(phone) - 7) + phone[-2:]


def mask_phones_in(text: str) -> str:
    """Mask every phone-looking run in free text (a safety net for log lines)."""
    return PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)


def mask_user_id(user_id: str) -> str:
    """A short stable pseudonym of a Zalo user id, so logs can be correlated, not mined."""
    digest = hashlib.sha256(user_id.encode()).hexdigest()[:10]
    return f"u-{digest}"
