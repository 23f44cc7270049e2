"""Signing in to the admin page: one-time links sent in chat, and the page's sessions.

Only hashes of the link tokens and session ids are stored: a copy of Redis opens nothing.
A link is good once, for ten minutes (GETDEL: two clicks racing, one wins); a session lasts
eight hours and ends at once on logout.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

import redis

from bot.keys import text

LINK_TTL_SECONDS = 600
SESSION_TTL_SECONDS = 8 * 3600
LINK_KEY = "admin-page:link:{}"
SESSION_KEY = "admin-page:session:{}"


def digest(secret: str) -> str:
    """What is stored of a token or session id."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class AdminSession:
    """Who signed in (a Zalo admin id, or 'password') and the session's CSRF token."""

    who: str
    csrf: str


class AdminLogins:
    """Owns admin-page:link:* (one-time link tokens) and admin-page:session:* (sessions)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def issue_link(self, who: str) -> str:
        """A fresh link token for admin `who`, good once for LINK_TTL_SECONDS."""
        token = secrets.token_urlsafe(32)
        self.client.set(LINK_KEY.format(digest(token)), who, ex=LINK_TTL_SECONDS)
        return token

    def redeem(self, token: str) -> str | None:
        """Who a link token was issued to, taking it (a second use finds nothing)."""
        if not token or len(token) > 100:
            return None
        return text(self.client.getdel(LINK_KEY.format(digest(token)))) or None

    def open(self, who: str) -> tuple[str, AdminSession]:
        """A new session for who: (its id, for the cookie; the session)."""
        session_id = secrets.token_urlsafe(32)
        session = AdminSession(who, secrets.token_urlsafe(32))
        record = json.dumps({"who": session.who, "csrf": session.csrf})
        self.client.set(SESSION_KEY.format(digest(session_id)), record, ex=SESSION_TTL_SECONDS)
        return session_id, session

    def find(self, session_id: str) -> AdminSession | None:
        """The live session of an id, or None (unknown, ended or expired)."""
        raw = self.client.get(SESSION_KEY.format(digest(session_id))) if session_id else None
        if raw is None:
            return None
        record = json.loads(raw)
        return AdminSession(str(record["who"]), str(record["csrf"]))

    def close(self, session_id: str) -> None:
        """End a session (logout)."""
        self.client.delete(SESSION_KEY.format(digest(session_id)))
