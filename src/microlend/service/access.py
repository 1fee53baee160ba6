"""Access: API keys, their roles and the principal a request acts as.

A key reads ``ml_<key id>_<secret>``. Only a salted SHA-256 of the secret is stored; checking
one costs one primary-key read and a constant-time comparison. A merchant key is bound to its
merchant; the risk officer and servicing keys see every merchant. A revoked key is refused from
the moment it is revoked; each successful check records the key's last use.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError, NotFoundError
from microlend.store import ApiKeyRecord, ApiKeys, LoanBookQueries, in_transaction

__all__ = [
    "ApiKeyRecord",
    "Principal",
    "Role",
    "authenticate",
    "create_api_key",
    "ensure_staff_keys",
    "list_api_keys",
    "principal_of",
    "revoke_api_key",
]

_PREFIX = "ml"
#: How precisely a key's last use is recorded.
LAST_USE_RESOLUTION = timedelta(minutes=1)


class Role(StrEnum):
    """What a key may do: read and decide (risk officer), move money (servicing), see one
    merchant's own data (merchant)."""

    RISK_OFFICER = "risk_officer"
    SERVICING = "servicing"
    MERCHANT = "merchant"


@dataclass(frozen=True)
class Principal:
    """Who called: the key's id, its role and, for a merchant key, its merchant."""

    key_id: str
    role: Role
    merchant_id: str | None = None

    def may_see(self, merchant_id: str) -> bool:
        """Whether this caller may read ``merchant_id``'s data."""
        return self.role is not Role.MERCHANT or self.merchant_id == merchant_id


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def create_api_key(engine: Engine, role: Role, merchant_id: str | None = None) -> str:
    """A fresh key for ``role`` (a merchant key names its merchant); only its hash is stored,
    so the returned text is the one chance to see it."""
    if (role is Role.MERCHANT) != (merchant_id is not None):
        raise ConfigError("a merchant key needs --merchant, and only a merchant key takes one")
    key_id, secret, salt = secrets.token_hex(8), secrets.token_urlsafe(32), secrets.token_hex(16)
    record = ApiKeyRecord(key_id, salt, _digest(salt, secret), role.value, merchant_id)

    def unit(session: Session) -> None:
        if merchant_id is not None and not LoanBookQueries(session).has_merchant(merchant_id):
            raise NotFoundError(f"no merchant {merchant_id!r} in the book")
        ApiKeys(session).add(record)

    in_transaction(engine, unit)
    return f"{_PREFIX}_{key_id}_{secret}"


def authenticate(engine: Engine, key: str, *, now: datetime | None = None) -> Principal | None:
    """The caller presenting ``key``, or ``None`` when it is malformed, unknown, wrong or
    revoked; ``now`` (the clock, read by the caller) is recorded as the key's last use."""
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != _PREFIX or not key_id or not secret:
        return None
    with Session(engine) as session:
        record = ApiKeys(session).get(key_id)
    if record is None or not hmac.compare_digest(record.secret_hash, _digest(record.salt, secret)):
        return None
    return _live(engine, record, now)


def principal_of(engine: Engine, key_id: str, *, now: datetime | None = None) -> Principal | None:
    """The caller of key ``key_id`` when the key still stands (not revoked), without its secret:
    a login session names its key and ends when the key is revoked."""
    with Session(engine) as session:
        record = ApiKeys(session).get(key_id)
    return None if record is None else _live(engine, record, now)


def _live(engine: Engine, record: ApiKeyRecord, now: datetime | None) -> Principal | None:
    if record.revoked:
        return None
    if now is not None and _stale(record.last_used_at, now):
        in_transaction(engine, lambda session: ApiKeys(session).touch(record.key_id, now))
    return Principal(record.key_id, Role(record.role), record.merchant_id)


def _stale(last_used: datetime | None, now: datetime) -> bool:
    """Whether a key's recorded last use is older than ``LAST_USE_RESOLUTION``: a write per
    check would queue every request behind the book's one writer."""
    if last_used is None:
        return True
    if last_used.tzinfo is None:  # SQLite keeps no zone: the book stores UTC
        last_used = last_used.replace(tzinfo=UTC)
    return now - last_used >= LAST_USE_RESOLUTION


def list_api_keys(engine: Engine) -> list[ApiKeyRecord]:
    """Every key with its role, merchant, creation, last use and revocation (never a secret:
    none is stored)."""
    with Session(engine) as session:
        return ApiKeys(session).all()


def revoke_api_key(engine: Engine, key_id: str, now: datetime) -> ApiKeyRecord:
    """Revoke key ``key_id`` as of ``now``: every request and login session made with it is
    refused from then on. Revoking a revoked key changes nothing."""

    def unit(session: Session) -> ApiKeyRecord:
        keys = ApiKeys(session)
        if keys.get(key_id) is None:
            raise NotFoundError(f"no API key {key_id!r} in the book")
        keys.revoke(key_id, now)
        found = keys.get(key_id)
        assert found is not None
        assert found.revoked, "a revoked key reads back as revoked"
        return found

    return in_transaction(engine, unit)


def ensure_staff_keys(engine: Engine) -> Mapping[Role, str]:
    """A risk officer and a servicing key when the book holds no key at all (first start);
    nothing otherwise. Merchant keys are made one by one with ``create_api_key``."""
    with Session(engine) as session:
        if ApiKeys(session).count() > 0:
            return {}
    return {role: create_api_key(engine, role) for role in (Role.RISK_OFFICER, Role.SERVICING)}
