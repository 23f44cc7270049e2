"""Portal accounts and the Zalo users linked to them.

A portal account is an account of the customer portal (its own `account_id`). Its records
live in the same account store as Zalo users, under their own namespace (`portal:<id>`), so
one phone <-> one account holds across chat and portal accounts. A Zalo user sends the OA an
8-character link code the portal got from POST /api/v1/links; from then on the user's chat
verifications belong to the portal account (the link is a pointer: the Zalo user's own
record stays as it was, so linking neither loses nor duplicates a verified number).

The two link maps are bucketed hashes; the user -> account side is repeated in a key of the
user's own (`linked:{oa:user}`, written in the same step), which the events stage's claim
reads with the conversation: a chat turn knows whose verification it is without a round
trip. Links made before those keys existed are copied once (mirror_links(), at start-up);
until a process has seen that done, it reads the bucket.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from typing import TypeGuard

import redis

from bot.keys import ScriptArgs, UserRef, text
from bot.verification.accounts import bucket
from bot.verification.codes import ceil_seconds
from bot.verification.links_lua import ISSUE, LINK, MIRROR, REDEEM

log = logging.getLogger(__name__)

PORTAL_PREFIX = "portal:"
# No 0/O, 1/I/L: codes are read off a screen and typed on a phone.
LINK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LINK_CODE_LENGTH = 8
LINK_CODE = re.compile(f"[{LINK_ALPHABET}]{{{LINK_CODE_LENGTH}}}")
ACCOUNT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}")
# The key kind of a Zalo user's own copy of their link (UserRef.key): the account id.
LINKED = "linked"
# Set once every link of the bucketed hashes has its own key too (mirror_links()).
MIRRORED_KEY = "links:mirrored"


def portal_ref(oa_id: str, account_id: str) -> UserRef:
    """The identity of a portal account in the verification stores."""
    return UserRef(oa_id, PORTAL_PREFIX + account_id)


def account_id_of(user: UserRef) -> str | None:
    """The portal account id of a portal identity; None for a Zalo user."""
    if user.user_id.startswith(PORTAL_PREFIX):
        return user.user_id[len(PORTAL_PREFIX) :]
    return None


def valid_account_id(account_id: object) -> TypeGuard[str]:
    """Whether the portal sent a usable account id (1-64 of letters, digits, ._@:-)."""
    return isinstance(account_id, str) and ACCOUNT_ID.fullmatch(account_id) is not None


def mask_account(account_id: str) -> str:
    """The account as the chat shows it: 'cz-100123' -> 'cz-…123'."""
    if len(account_id) <= 6:
        return account_id[:1] + "…"
    return f"{account_id[:3]}…{account_id[-3:]}"


def normalize_link_code(typed: str) -> str:
    """'ab7k-9mxq ' -> 'AB7K9MXQ' (case, spaces and dashes do not matter)."""
    return re.sub(r"[\s\-.]", "", typed).upper()


def looks_like_link_code(typed: str) -> bool:
    """A bare link code: 8 of the alphabet with a letter and a digit (so words are not)."""
    code = normalize_link_code(typed)
    has_both = any(c.isdigit() for c in code) and any(c.isalpha() for c in code)
    return LINK_CODE.fullmatch(code) is not None and has_both


def new_link_code() -> str:
    """8 random characters of the alphabet, at least one letter and one digit."""
    while True:
        code = "".join(secrets.choice(LINK_ALPHABET) for _ in range(LINK_CODE_LENGTH))
        if looks_like_link_code(code):
            return code


@dataclass(frozen=True)
class Redeemed:
    """What sending a link code did: ok (the account), wrong (tries left) or locked (wait)."""

    status: str
    account_id: str = ""
    attempts_left: int = 0
    wait_seconds: int = 0


class LinkStore:
    """Owns link codes (link-code:{oa}:<digest>), wrong-code counters and the two link maps."""

    def __init__(self, client: redis.Redis, hash_key: str, max_fails: int, lock_seconds: int):
        self.client = client
        self.hash_key = hash_key
        self.max_fails = max_fails
        self.lock_seconds = lock_seconds
        self._issue = client.register_script(ISSUE)
        self._redeem = client.register_script(REDEEM)
        self._link = client.register_script(LINK)
        self._mirror = client.register_script(MIRROR)
        # Whether every link has its user's own key (LINKED): then a claim's read of it is
        # the link. Learned once (mirror_links() or a read of MIRRORED_KEY), never unlearned.
        self.mirrored = False

    def code_key(self, oa_id: str, code: str) -> str:
        """Codes at rest are keyed hashes, like one-time codes."""
        digest = hmac.new(self.hash_key.encode(), f"link:{code}".encode(), hashlib.sha256)
        return f"link-code:{{{oa_id}}}:{digest.hexdigest()}"

    def issue(self, oa_id: str, account_id: str, ttl_seconds: int) -> str:
        """A new link code for the account (its previous one stops working)."""
        code = new_link_code()
        key = self.code_key(oa_id, code)
        prefix, _, digest = key.rpartition(":")
        pointer = f"link-code-of:{{{oa_id}}}:{account_id}"
        args: ScriptArgs = [account_id, digest, ttl_seconds * 1000, prefix + ":"]
        self._issue(keys=[pointer, key], args=args)
        return code

    def redeem(self, user: UserRef, typed: str) -> Redeemed:
        """Use a typed code (single use); wrong ones are counted and capped per Zalo user."""
        keys = [user.key("link-fails"), self.code_key(user.oa_id, normalize_link_code(typed))]
        status, value = self._redeem(keys=keys, args=[self.max_fails, self.lock_seconds * 1000])
        if status == b"ok":
            self.link(user, text(value))
            return Redeemed("ok", account_id=text(value))
        if status == b"wrong":
            return Redeemed("wrong", attempts_left=int(value))
        return Redeemed("locked", wait_seconds=ceil_seconds(value))

    def link(self, user: UserRef, account_id: str) -> None:
        """Link the Zalo user and the portal account, moving either's previous link."""
        oa_id = user.oa_id
        for _ in range(5):  # 'stale': another link changed one side between read and script
            old_account = self.account_of(user) or ""
            old_user = self.zalo_user_of(oa_id, account_id) or ""
            keys = [
                bucket("zlink", oa_id, user.user_id),
                bucket("plink", oa_id, account_id),
                bucket("plink", oa_id, old_account) if old_account else "-",
                bucket("zlink", oa_id, old_user) if old_user else "-",
                user.key(LINKED),
                UserRef(oa_id, old_user).key(LINKED) if old_user else "-",
            ]
            args = [user.user_id, account_id, old_account, old_user]
            if text(self._link(keys=keys, args=args)) == "ok":
                return
        raise RuntimeError("links kept changing during a link")

    def account_of(self, user: UserRef) -> str | None:
        """The portal account a Zalo user is linked to."""
        found = self.client.hget(bucket("zlink", user.oa_id, user.user_id), user.user_id)
        return text(found) or None

    def zalo_user_of(self, oa_id: str, account_id: str) -> str | None:
        """The Zalo user linked to a portal account."""
        found = self.client.hget(bucket("plink", oa_id, account_id), account_id)
        return text(found) or None

    def subject(self, user: UserRef, claimed: bytes | None = None) -> UserRef:
        """Whose verification a chat user's is: the linked portal account's, else their own.
        claimed: the user's LINKED key as the events stage's claim read it (None: not read)."""
        if account_id_of(user) is not None:
            return user
        if claimed is not None and self.mirrored:
            account_id = text(claimed) or None
        else:
            account_id = self.read_link(user)
        return portal_ref(user.oa_id, account_id) if account_id else user

    def read_link(self, user: UserRef) -> str | None:
        """account_of(), learning in the same round trip whether the links are mirrored."""
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hget(bucket("zlink", user.oa_id, user.user_id), user.user_id)
            pipe.exists(MIRRORED_KEY)
            found, mirrored = pipe.execute()
        self.mirrored = self.mirrored or bool(mirrored)
        return text(found) or None

    def mirror_links(self) -> int:
        """Give every link of the bucketed hashes its user's own key, once per Redis (the
        upgrade to LINKED keys); how many links were copied."""
        if self.client.exists(MIRRORED_KEY):
            self.mirrored = True
            return 0
        copied = 0
        for key in self.client.scan_iter(match="zlink:{*}:*", count=1000, _type="hash"):
            oa_id = text(key).split("{", 1)[1].rsplit("}", 1)[0]
            prefix = f"{LINKED}:{{{oa_id}:"
            copied += int(self._mirror(keys=[key], args=[prefix]))
        self.client.set(MIRRORED_KEY, 1)
        self.mirrored = True
        return copied

    def mirror_at_start(self) -> None:
        """mirror_links() as a process starts; Redis away: the next start does it (until
        then links are read from the buckets)."""
        try:
            copied = self.mirror_links()
        except redis.RedisError as exc:
            log.warning("could not check the links' own keys: %s", type(exc).__name__)
            return
        if copied:
            log.info("gave %d portal links a key of their user's own", copied)

    def forget(self, pipe: redis.client.Pipeline, user: UserRef) -> None:
        """Drop the user's link and wrong-code counter (user_withdraw), in pipe."""
        account_id = self.account_of(user)
        pipe.delete(user.key("link-fails"), user.key(LINKED))
        if account_id:
            pipe.hdel(bucket("zlink", user.oa_id, user.user_id), user.user_id)
            pipe.hdel(bucket("plink", user.oa_id, account_id), account_id)
