"""What a tester does in the sandbox: talk as a Zalo user, share a phone, read what arrived.

Every message goes through the real webhook as a correctly signed event, so the simulator
and the terminal chat exercise the same code path Zalo does.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask

from bot.admin.served import FRESH_SECONDS
from bot.conversation.context import AuditEntry
from bot.keys import UserRef, publish_update, text
from bot.services import Services, services_of
from bot.sms.console import phone_inbox_key, read_phone_inbox
from bot.verification.phones import parse_phone
from bot.web.sandbox_events import encode_event, follow_event, signed_headers, submit_info_event
from bot.web.sandbox_events import text_event as make_text_event
from bot.worker.forget import forget_user
from bot.worker.senders import (
    SANDBOX_RECORD_TTL_SECONDS,
    append_chat,
    sandbox_chat_key,
    sandbox_phones_key,
)

USERS_KEY = "sandbox:users"
USER_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}")
MAX_TEXT = 2000


class PlaygroundError(ValueError):
    """Input the simulator refuses, with a message fit to show the tester."""


@dataclass(frozen=True)
class Posted:
    """What the webhook answered to one simulated event."""

    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        """Whether Zalo would count the delivery as done."""
        return self.status == 200


def check_user_id(user: str) -> str:
    """A test user id: letters, digits, '.', '_' or '-', at most 40 characters."""
    user = (user or "").strip()
    if not USER_ID.fullmatch(user):
        raise PlaygroundError("user id: 1-40 letters, digits, '.', '_' or '-'")
    return user


class Playground:
    """Sandbox-only operations behind the simulator page and `flask chat`."""

    def __init__(self, app: Flask, oa_id: str = "") -> None:
        """oa_id: the OA of the App the tester writes to (the main OA unless another one
        of the App's served OAs is named)."""
        self.app = app
        self.services: Services = services_of(app)
        self.settings = self.services.settings
        self.redis = self.services.redis
        served = [oa["id"] for oa in self.oas()]
        main = self.services.registry.main
        self.oa_id = oa_id if oa_id in served else main.oa_id

    def oas(self) -> list[dict[str, str]]:
        """The OAs of the App served now (id, name): one webhook key signs for all of them."""
        app_id = self.services.registry.main.app_id
        found = [oa for oa in self.services.registry.all() if oa.app_id == app_id]
        return [{"id": oa.oa_id, "name": oa.name or self.asset_name(oa.oa_id)} for oa in found]

    def asset_name(self, oa_id: str) -> str:
        """The registry's name of an OA ('OA <id>' when it has none)."""
        asset = self.services.assets.get("oa", oa_id)
        return asset.name if asset is not None else f"OA {oa_id}"

    def ref(self, user: str) -> UserRef:
        """The user as the bot's stores name it (in the chosen OA)."""
        return UserRef(self.oa_id, user)

    def post(self, event: dict[str, Any]) -> Posted:
        """POST the event, signed with the OA secret, to the app's own /webhook."""
        body = encode_event(event)
        headers = signed_headers(body, self.services.registry.main.webhook_key)
        answer = self.app.test_client().post("/webhook", data=body, headers=headers)
        return Posted(answer.status_code, answer.get_json(silent=True) or {})

    def users(self) -> list[str]:
        """The test users created so far."""
        return sorted(text(member) for member in self.redis.smembers(USERS_KEY))

    def create_user(self, user: str) -> Posted:
        """A new follower: the bot greets them as Zalo's follow event makes it."""
        user = check_user_id(user)
        self.redis.sadd(USERS_KEY, user)
        return self.post(self.event_ids(follow_event(user)))

    def event_ids(self, event: dict[str, Any]) -> dict[str, Any]:
        """Point an event at this bot's app and OA (they differ when set in the environment)."""
        event["app_id"] = self.services.registry.main.app_id
        if "oa_id" in event:
            event["oa_id"] = self.oa_id
        else:
            event["recipient"] = {"id": self.oa_id}
        return event

    def say(self, user: str, message: str) -> Posted:
        """The user types message."""
        user, message = check_user_id(user), (message or "").strip()
        if not message or len(message) > MAX_TEXT:
            raise PlaygroundError(f"type 1 to {MAX_TEXT} characters")
        self.redis.sadd(USERS_KEY, user)
        self.note_phone(user, message)
        append_chat(self.redis, self.ref(user), "user", "text", {"text": message})
        return self.post(self.event_ids(make_text_event(user, message)))

    def share_phone(self, user: str, phone: str, name: str = "Người dùng thử") -> Posted:
        """The user answers the bot's request_user_info card with their phone."""
        user, phone = check_user_id(user), (phone or "").strip()
        if not phone or len(phone) > 32:
            raise PlaygroundError("type the phone number to share")
        self.note_phone(user, phone)
        append_chat(self.redis, self.ref(user), "user", "info", {"text": phone})
        return self.post(self.event_ids(submit_info_event(user, phone, name=name)))

    def note_phone(self, user: str, typed: str) -> None:
        """Remember a number the user typed, so that reset can clear its locks and limits."""
        e164 = parse_phone(typed, self.settings.otp_allowed_regions).e164
        if e164 is not None:
            key = sandbox_phones_key(self.ref(user))
            self.redis.sadd(key, e164)
            self.redis.expire(key, SANDBOX_RECORD_TTL_SECONDS)

    def chat(self, user: str, start: int = 0) -> list[dict[str, Any]]:
        """The chat log of user from line start (what was said and what the bot sent)."""
        lines = self.redis.lrange(sandbox_chat_key(self.ref(check_user_id(user))), start, -1)
        return [json.loads(line) for line in lines]

    def tap(self, user: str, title: str, payload: str) -> Posted:
        """The user taps a button: Zalo sends its payload as text and shows nothing of it."""
        user, payload = check_user_id(user), (payload or "").strip()
        if not payload or len(payload) > MAX_TEXT:
            raise PlaygroundError("a button needs a payload")
        append_chat(self.redis, self.ref(user), "user", "tap", {"text": title[:40]})
        return self.post(self.event_ids(make_text_event(user, payload)))

    def user_view(self, user: str) -> dict[str, Any]:
        """Whether user is an admin, and the bot's language for them (the page speaks it)."""
        lang = self.redis.get(self.services.conversations.lang_key(self.ref(user)))
        return {
            "admin": self.is_admin(user),
            "lang": text(lang) if lang else self.settings.bot_language,
        }

    def phone_list(self) -> list[dict[str, Any]]:
        """The phone panel: every sandbox phone with its messages, newest phone first."""
        return [{"phone": p, "messages": m} for p, m in self.phones().items()]

    def pinned(self, user: str) -> dict[str, Any] | None:
        """The newest message to one of this user's numbers (what the page pins above the
        chat): another test user's code is not theirs to type."""
        ref = self.ref(check_user_id(user))
        found = [
            {"phone": phone, **message}
            for phone in self.phones_of(ref)
            for message in read_phone_inbox(self.redis, phone)
        ]
        return max(found, key=lambda m: float(m.get("at", 0)), default=None)

    def asset_list(self) -> list[dict[str, Any]]:
        """The sandbox's assets and whether the bot still uses each."""
        return [a.as_json() for a in self.services.assets.all()]

    def relink(self, kind: str, asset_id: str) -> bool:
        """Sandbox only: use an unlinked asset again (its name kept), so the bot answers."""
        if self.services.assets.get(kind, asset_id) is None:
            raise PlaygroundError(f"unknown {kind} {asset_id}")
        self.services.assets.link(kind, asset_id)
        # Audited like `flask assets link`: /audit then explains why the bot answers again.
        entry = AuditEntry(
            "sandbox", f"relink {kind} {asset_id}", "sandbox", f"{kind}:{asset_id}", "relinked"
        )
        self.services.audit.write(entry)
        # Answer once every process serves it again (as the unlink job reports only once all
        # have stopped): a message typed the moment the page says "relinked" is not ignored.
        time.sleep(FRESH_SECONDS)
        publish_update(self.redis)
        return True

    def phones(self) -> dict[str, list[dict[str, Any]]]:
        """Every sandbox phone's inbox (SMS and Zalo messages), newest phone first."""
        found = {}
        for key in self.redis.scan_iter(match=phone_inbox_key("*"), count=500):
            phone = text(key).partition("{")[2].rstrip("}")
            found[phone] = read_phone_inbox(self.redis, phone)
        return dict(sorted(found.items(), key=lambda item: -latest(item[1])))

    def is_admin(self, user: str) -> bool:
        """Whether the bot treats user as an admin."""
        return self.services.admins.is_admin(check_user_id(user), self.oa_id)

    def set_admin(self, user: str, admin: bool) -> bool:
        """Make user an admin or not (ids in ADMIN_ZALO_IDS stay admins); the result."""
        user = check_user_id(user)
        if admin:
            self.services.admins.add(user, self.oa_id)
        else:
            self.services.admins.remove(user, self.oa_id)
        return self.is_admin(user)

    def reset(self, user: str) -> Posted:
        """Start user over: data, code locks and send limits gone, then a fresh welcome."""
        ref = self.ref(check_user_id(user))
        phones = self.phones_of(ref)
        with self.redis.pipeline(transaction=True) as pipe:
            forget_user(self.services, pipe, ref)
            for phone in phones:
                pipe.delete(phone_inbox_key(phone))
            pipe.execute()
        verifier = self.services.verifier
        verifier.codes.unlock(ref)
        verifier.numbers.clear(ref)
        for phone in phones:
            verifier.codes.unlock(phone=phone)
            verifier.limits.clear(ref, phone)
        return self.post(self.event_ids(follow_event(ref.user_id)))

    def phones_of(self, ref: UserRef) -> set[str]:
        """The numbers user typed, verified or is verifying (E.164)."""
        found = {text(phone) for phone in self.redis.smembers(sandbox_phones_key(ref))}
        account = self.services.verifier.accounts.get(ref.oa_id, ref.user_id)
        if account is not None and account.phone:
            found.add(account.phone)
        pending = self.services.conversations.load(ref).data.get("phone")
        if isinstance(pending, str):
            found.add(pending)
        return found


def latest(items: list[dict[str, Any]]) -> float:
    """When the newest message of an inbox arrived."""
    return max((float(item.get("at", 0)) for item in items), default=0.0)
