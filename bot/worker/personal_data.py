"""What the bot holds about one account, for data-subject requests (Decree 13/2023/NĐ-CP):
find it by user id, phone number or portal account id, export it, erase it.

Every per-user key carries the user's hash tag ({oa:user}), so a scan for the tag finds
them all, whatever store wrote them; the bucketed hashes (verified numbers, id indexes,
links), the dead letters and the audit are read through their stores.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import phonenumbers
import redis

from bot.admin.audit import REFUSED_KEY, STREAM_KEY
from bot.keys import UserRef, text, text_dict
from bot.verification.accounts import bucket, iso
from bot.verification.links import (
    LINKED,
    PORTAL_PREFIX,
    account_id_of,
    portal_ref,
    valid_account_id,
)
from bot.worker.dead_letters import DeadLetters
from bot.worker.forget import forget_user

if TYPE_CHECKING:
    from bot.services import Services

SCAN_COUNT = 1000
# Code material is never exported: the keyed hash ('h') and the nonce ('n') of a live code.
SECRET_FIELDS = {"otp": ("h", "n")}
GLOB_SPECIALS = "\\*?[]"
# A user's hash tag in a key: {oa:user}, or {oa:portal:<id>} for a portal account.
USER_TAG = re.compile(r"\{[^{}]*:[^{}]*\}")
# Kept by an erase, as by user_withdraw, until it expires (2 days): digests of event bodies,
# no content; without it a captured event replayed would bring the account back.
KEPT_KINDS = ("seen",)


@dataclass
class Subject:
    """One account found for an id: a Zalo user or a portal account, with its numbers."""

    user: UserRef
    phones: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """'portal', 'user', or 'number' (a number no account verified)."""
        if not self.user.user_id:
            return "number"
        return "portal" if account_id_of(self.user) is not None else "user"


def glob_escape(value: str) -> str:
    """value matched literally by SCAN MATCH."""
    return "".join("\\" + char if char in GLOB_SPECIALS else char for char in value)


def parse_any_phone(given: str) -> str | None:
    """E.164 of a valid number in any format phonenumbers reads (region VN by default)."""
    if not given.strip() or any(char.isalpha() for char in given):
        return None
    try:
        number = phonenumbers.parse(given, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def tagged_keys(client: redis.Redis, pattern: str) -> list[str]:
    """Every key matching a glob pattern (SCAN: never blocks Redis)."""
    return sorted(text(key) for key in client.scan_iter(match=pattern, count=SCAN_COUNT))


def user_keys(client: redis.Redis, user: UserRef) -> list[str]:
    """Every key carrying the user's hash tag."""
    return tagged_keys(client, "*" + glob_escape(user.tag) + "*")


def phone_keys(client: redis.Redis, phone: str, owner: UserRef | None = None) -> list[str]:
    """Every key naming the number (locks, counters, send limits, sandbox inbox); with an
    owner, none of another account's (a send limit of another user, or of the same user id
    in another OA, names the number too, under that account's hash tag)."""
    found = tagged_keys(client, "*" + glob_escape(phone) + "*")
    if owner is None:
        return found
    return [key for key in found if all(tag == owner.tag for tag in USER_TAG.findall(key))]


def subjects_of(services: Services, oa_id: str, given: str) -> dict[str, Subject]:
    """The accounts an id may name, by kind: 'user', 'portal', 'phone' (its owner)."""
    client, accounts = services.redis, services.verifier.accounts
    found: dict[str, Subject] = {}
    phone = parse_any_phone(given)
    if phone is not None:
        owner = accounts.owner_of(oa_id, phone)
        if owner or phone_keys(client, phone):
            found["phone"] = Subject(UserRef(oa_id, owner or ""), [phone])
    given = given.strip()
    if given and not given.startswith(PORTAL_PREFIX):
        user = UserRef(oa_id, given)
        if accounts.get(oa_id, given) or user_keys(client, user):
            found["user"] = Subject(user)
    if valid_account_id(given):
        portal = portal_ref(oa_id, given)
        linked = services.verifier.links.zalo_user_of(oa_id, given)
        if accounts.get(oa_id, portal.user_id) or linked or user_keys(client, portal):
            found["portal"] = Subject(portal)
    for subject in found.values():
        record = accounts.get(oa_id, subject.user.user_id) if subject.user.user_id else None
        if record is not None and record.phone and record.phone not in subject.phones:
            subject.phones.append(record.phone)
    return found


def dump_key(client: redis.Redis, key: str) -> dict[str, Any]:
    """A key's type, remaining lifetime and value, code material left out."""
    kind = text(client.type(key))
    value: Any
    if kind == "string":
        value = readable(client.get(key))
    elif kind == "hash":
        secret = SECRET_FIELDS.get(key.split(":", 1)[0], ())
        value = {k: readable(v) for k, v in text_dict(client.hgetall(key)).items()}
        value = {k: v for k, v in value.items() if k not in secret}
    elif kind == "list":
        value = [readable(item) for item in client.lrange(key, 0, -1)]
    elif kind == "zset":
        scored: list[Any] = client.zrange(key, 0, -1, withscores=True)
        value = [[readable(member), score] for member, score in scored]
    elif kind == "set":
        value = sorted(text(m) for m in client.smembers(key))
    else:
        value = None  # gone meanwhile (expired)
    ttl = client.ttl(key)
    return {"type": kind, "expires_in_seconds": ttl if ttl >= 0 else None, "value": value}


def readable(raw: Any) -> Any:
    """A stored value as JSON when it is JSON, else as text."""
    value = text(raw)
    try:
        return json.loads(value)
    except ValueError:
        return value


def audit_mentions(client: redis.Redis, needles: list[str]) -> list[dict[str, str]]:
    """Audit entries whose actor or target names the account or its numbers."""
    found: list[dict[str, str]] = []
    for stream in (STREAM_KEY, REFUSED_KEY):
        for _, fields in client.xrange(stream) or []:
            entry = text_dict(fields)
            said = entry.get("who", "") + " " + entry.get("target", "")
            if any(needle and mentions(said, needle) for needle in needles):
                found.append({"stream": stream, **entry})
    return found


def mentions(said: str, needle: str) -> bool:
    """Whether needle stands whole in said ('u1' is not in 'u12')."""
    return re.search(r"(?<![\w+])" + re.escape(needle) + r"(?!\w)", said) is not None


def export_subject(services: Services, subject: Subject) -> dict[str, Any]:
    """Everything held about one account, as JSON-able data."""
    client, user = services.redis, subject.user
    verifier = services.verifier
    out: dict[str, Any] = {"kind": subject.kind, "oa_id": user.oa_id}
    if user.user_id:
        account = verifier.accounts.get(user.oa_id, user.user_id)
        out["user_id"] = user.user_id if subject.kind == "user" else None
        out["account_id"] = account_id_of(user)
        out["verification"] = account and {
            "phone": account.phone,
            "sms_verified_at": iso(account.sms_verified_at),
            "zalo_verified_at": iso(account.zalo_verified_at),
            "user_id_by_app": account.user_id_by_app,
        }
        out["linked"] = linked_of(services, subject)
        admins = services.admins.all(user.oa_id)  # admins are per OA, as user ids are
        out["admin"] = [source for uid, source in admins if uid == user.user_id]
        out["records"] = {key: dump_key(client, key) for key in user_keys(client, user)}
        letters = [vars(d) for d in DeadLetters(client).latest(10**6) if d.oa_id == user.oa_id]
        out["dead_letters"] = [d for d in letters if d["user_id"] == user.user_id]
    out["phones"] = {
        phone: {key: dump_key(client, key) for key in phone_keys(client, phone, user)}
        for phone in subject.phones
    }
    needles = [user.user_id, account_id_of(user) or ""] + [
        variant for phone in subject.phones for variant in (phone, phone.lstrip("+"))
    ]
    out["audit"] = audit_mentions(client, needles)
    return out


def linked_of(services: Services, subject: Subject) -> dict[str, str | None]:
    """The portal account a Zalo user is linked to, or the Zalo user of a portal account."""
    links, user = services.verifier.links, subject.user
    if subject.kind == "portal":
        return {"zalo_user_id": links.zalo_user_of(user.oa_id, account_id_of(user) or "")}
    return {"portal_account_id": links.account_of(user)}


def erase_subject(services: Services, subject: Subject) -> int:
    """Delete the account as user_withdraw does, and what it leaves to expire (locks,
    counters, the portal's records); the audit and the dedupe digests stay until they
    expire. How many keys and fields went."""
    client, user = services.redis, subject.user
    leftovers: list[str] = []
    with client.pipeline(transaction=True) as pipe:
        if user.user_id:
            forget_user(services, pipe, user)
            forget_portal_links(services, pipe, subject)
            leftovers = [k for k in user_keys(client, user) if k.split(":")[0] not in KEPT_KINDS]
        for phone in subject.phones:
            leftovers += phone_keys(client, phone, user)
        if leftovers:
            pipe.delete(*leftovers)
        answers = pipe.execute()
    return sum(int(a) for a in answers if isinstance(a, int) and not isinstance(a, bool))


def forget_portal_links(services: Services, pipe: redis.client.Pipeline, subject: Subject) -> None:
    """A portal account's link to its Zalo user, and its current link code."""
    account_id = account_id_of(subject.user)
    if account_id is None:
        return
    oa_id, links = subject.user.oa_id, services.verifier.links
    zalo_user = links.zalo_user_of(oa_id, account_id)
    pipe.hdel(bucket("plink", oa_id, account_id), account_id)
    if zalo_user:
        pipe.hdel(bucket("zlink", oa_id, zalo_user), zalo_user)
        pipe.delete(UserRef(oa_id, zalo_user).key(LINKED))
    pointer = f"link-code-of:{{{oa_id}}}:{account_id}"
    digest = text(services.redis.get(pointer))
    pipe.delete(pointer, *([f"link-code:{{{oa_id}}}:{digest}"] if digest else []))
