"""Verified phone numbers: one phone per account, one account per phone, durable.

Memory matters (an OA may have millions of followers), so records live in bucketed hashes
that Redis keeps in its compact listpack encoding: about 150 bytes per verified account,
indexes included, instead of ~300 with one key per account.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from bot.keys import ScriptArgs, text

BUCKETS = 1024
# KEYS: account bucket, new phone bucket, by-app bucket, old phone bucket ('-': none), the
# user's callbacks ('-': none). ARGV: user id, phone digits, channel, now, user_id_by_app,
# expected old record, callback id, its body, TTL in seconds. The portal callback's body is
# stored in the same step as the verification it tells of: both or neither. Answers {status,
# the record as it is when 'stale' (the old number's bucket is named from it: ask again)}. A
# record of the same number needs no other bucket: it is never stale (a second channel's
# verification is one step).
# A function of its keys and arguments (k, a), so that a right code's check runs it too.
CLAIM_STEP = """
local function claim(k, a)
  local owner = redis.call('HGET', k[2], a[2])
  if owner and owner ~= a[1] then return {'taken', ''} end
  local record = redis.call('HGET', k[1], a[1]) or ''
  local phone, sms, zalo, byapp = string.match(record, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  if record ~= a[6] and phone ~= a[2] then return {'stale', record} end
  if phone == nil or phone ~= a[2] then
    if phone and phone ~= '' then redis.call('HDEL', k[4], phone) end
    sms, zalo, byapp = '0', '0', byapp or ''
  end
  if a[3] == 'sms' then sms = a[4] else zalo = a[4] end
  if a[5] ~= '' then
    byapp = a[5]
    redis.call('HSET', k[3], byapp, a[1])
  end
  redis.call('HSET', k[1], a[1], table.concat({a[2], sms, zalo, byapp}, '|'))
  redis.call('HSET', k[2], a[2], a[1])
  if k[5] ~= '-' then
    redis.call('HSET', k[5], a[7], a[8])
    redis.call('EXPIRE', k[5], a[9])
  end
  return {'ok', ''}
end
"""
CLAIM = CLAIM_STEP + "return claim(KEYS, ARGV)"
# What a claim stores of the portal callback: the user's callbacks key, its id, body, TTL.
StoredEvent = tuple[str, str, bytes, int]


@dataclass(frozen=True)
class NumberClaim:
    """An account's claim of a number: by which channel, when, under which app-scoped id,
    and the portal callback frozen with it (event: stored only with a win)."""

    oa_id: str
    user_id: str
    phone: str
    channel: str
    now: int
    user_id_by_app: str = ""
    event: StoredEvent | None = None

    def parts(self, record: str = "") -> tuple[list[str], ScriptArgs]:
        """The keys and arguments of AccountStore.claim()'s step (CLAIM_STEP) expecting record
        ('': a first verification)."""
        digits = self.phone.lstrip("+")
        old = record.split("|", 1)[0]
        oa_id, event = self.oa_id, self.event
        keys = [
            bucket("acct", oa_id, self.user_id),
            bucket("phone", oa_id, digits),
            bucket("byapp", oa_id, self.user_id_by_app or "-"),
            bucket("phone", oa_id, old) if old else "-",
            event[0] if event else "-",
        ]
        args: ScriptArgs = [self.user_id, digits, self.channel, self.now, self.user_id_by_app]
        args += [record, *(event[1:] if event else ("", "", 0))]
        return keys, args


def iso(epoch: float | None) -> str | None:
    """An epoch as ISO 8601 UTC (None stays None)."""
    return datetime.fromtimestamp(epoch, UTC).isoformat() if epoch else None


@dataclass(frozen=True)
class Account:
    """What the bot knows of an account's phone verification."""

    user_id: str
    phone: str | None
    sms_verified_at: int | None
    zalo_verified_at: int | None
    user_id_by_app: str | None

    @classmethod
    def decode(cls, user_id: str, record: str) -> Account:
        """Read the packed record 'digits|sms_at|zalo_at|user_id_by_app'."""
        phone, sms, zalo, byapp = record.split("|", 3)
        return cls(
            user_id,
            f"+{phone}" if phone else None,
            int(sms) or None,
            int(zalo) or None,
            byapp or None,
        )


def account_from(user_id: str, raw: bytes | None) -> Account | None:
    """The account from AccountStore.read()'s answer."""
    return Account.decode(user_id, text(raw)) if raw else None


def bucket(kind: str, oa_id: str, member: str) -> str:
    """The hash holding member: e.g. 'acct:{oa}:417'."""
    return f"{kind}:{{{oa_id}}}:{zlib.crc32(member.encode()) % BUCKETS}"


def owner_bucket(oa_id: str, phone: str) -> str:
    """The hash holding the owner of phone (E.164), under its digits."""
    return bucket("phone", oa_id, phone.lstrip("+"))


class AccountStore:
    """Owns acct:{oa}:<n> (records), phone:{oa}:<n> (owners) and byapp:{oa}:<n> (id index)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._claim = client.register_script(CLAIM)

    def get(self, oa_id: str, user_id: str) -> Account | None:
        """The account of an OA-scoped user id."""
        return account_from(user_id, self.read(self.client, oa_id, user_id))

    @staticmethod
    def read(client: redis.Redis | redis.client.Pipeline, oa_id: str, user_id: str) -> Any:
        """get()'s read, on a client or queued in a pipeline (account_from() decodes it)."""
        return client.hget(bucket("acct", oa_id, user_id), user_id)

    def find(self, oa_id: str, any_id: str) -> Account | None:
        """By OA-scoped user id, or by the app-scoped id a portal gets from Login with Zalo."""
        found = self.get(oa_id, any_id)
        if found is not None:
            return found
        owner = self.client.hget(bucket("byapp", oa_id, any_id), any_id)
        return self.get(oa_id, text(owner)) if owner else None

    def owner_of(self, oa_id: str, phone: str) -> str | None:
        """The user id that verified phone (E.164), if any."""
        return text(self.client.hget(owner_bucket(oa_id, phone), phone.lstrip("+"))) or None

    def claim(self, claim: NumberClaim, record: str = "") -> bool:
        """Record a verification; False when another account owns the number (atomic).
        record: the account's record as last seen ('': none)."""
        # First as a first verification, or of the number the account holds (one round trip);
        # 'stale' answers with the record as it is, to claim again with (it changed meanwhile:
        # again).
        for _ in range(5):
            keys, args = claim.parts(record)
            answer, current = self._claim(keys=keys, args=args)
            if answer != b"stale":
                return bool(answer == b"ok")
            record = text(current)
        raise RuntimeError("account record kept changing during a claim")

    def forget(self, pipe: redis.client.Pipeline, oa_id: str, user_id: str) -> None:
        """Delete the account and release its number (user_withdraw), in pipe."""
        account = self.get(oa_id, user_id)
        if account is None:
            return
        pipe.hdel(bucket("acct", oa_id, user_id), user_id)
        if account.phone:
            digits = account.phone.lstrip("+")
            pipe.hdel(bucket("phone", oa_id, digits), digits)
        if account.user_id_by_app:
            pipe.hdel(bucket("byapp", oa_id, account.user_id_by_app), account.user_id_by_app)
