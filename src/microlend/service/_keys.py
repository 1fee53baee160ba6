"""API keys: create them, and tell who presents one.

A key reads ``ml_<key id>_<secret>``. Only a salted SHA-256 of the secret is stored; checking
one costs one primary-key read and a constant-time comparison. A merchant key is bound to its
merchant; the risk officer and servicing keys see every merchant.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError
from microlend.store import ApiKeyRecord, ApiKeys, in_transaction

__all__ = ["Principal", "Role", "authenticate", "create_api_key", "ensure_staff_keys"]

_PREFIX = "ml"


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
        ApiKeys(session).add(record)

    in_transaction(engine, unit)
    return f"{_PREFIX}_{key_id}_{secret}"


def authenticate(engine: Engine, key: str) -> Principal | None:
    """The caller presenting ``key``, or ``None`` when it is malformed, unknown or wrong."""
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != _PREFIX or not key_id or not secret:
        return None
    with Session(engine) as session:
        record = ApiKeys(session).get(key_id)
    if record is None or not hmac.compare_digest(record.secret_hash, _digest(record.salt, secret)):
        return None
    return Principal(record.key_id, Role(record.role), record.merchant_id)


def ensure_staff_keys(engine: Engine) -> Mapping[Role, str]:
    """A risk officer and a servicing key when the book holds no key at all (first start);
    nothing otherwise. Merchant keys are made one by one with ``create_api_key``."""
    with Session(engine) as session:
        if ApiKeys(session).count() > 0:
            return {}
    return {role: create_api_key(engine, role) for role in (Role.RISK_OFFICER, Role.SERVICING)}
