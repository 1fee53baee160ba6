"""API keys: who may call the decision api, in which role, for which merchant.

Only a salted SHA-256 of each secret is stored, never the secret. A key reads
``ml_<key id>_<secret>``: the id finds the row, the secret is checked against the stored hash in
constant time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    CursorResult,
    DateTime,
    ForeignKey,
    String,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from microlend.store._tables import Base

__all__ = ["ApiKeyRecord", "ApiKeyRow", "ApiKeys"]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("role IN ('risk_officer', 'servicing', 'merchant')", name="role_is_known"),
        CheckConstraint(
            "(role = 'merchant') = (merchant_id IS NOT NULL)", name="merchant_key_names_merchant"
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    merchant_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("merchants.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class ApiKeyRecord:
    """A stored key: its id, salt and salted hash, its role and (merchant keys) merchant; when
    it was made, last used and revoked."""

    key_id: str
    salt: str
    secret_hash: str
    role: str
    merchant_id: str | None
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class ApiKeys:
    """The api_keys table within the caller's session (and so its transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, key: ApiKeyRecord) -> None:
        self._session.add(
            ApiKeyRow(
                id=key.key_id,
                salt=key.salt,
                secret_hash=key.secret_hash,
                role=key.role,
                merchant_id=key.merchant_id,
            )
        )
        self._session.flush()

    def get(self, key_id: str) -> ApiKeyRecord | None:
        row = self._session.get(ApiKeyRow, key_id)
        return None if row is None else _record(row)

    def all(self) -> list[ApiKeyRecord]:
        """Every key, oldest first."""
        rows = self._session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id))
        return [_record(row) for row in rows]

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(ApiKeyRow)) or 0

    def revoke(self, key_id: str, at: datetime) -> bool:
        """Revoke ``key_id`` as of ``at``; whether it was live until now."""
        done: CursorResult[Any] = self._session.execute(  # type: ignore[assignment]
            update(ApiKeyRow)
            .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(done.rowcount)

    def touch(self, key_id: str, at: datetime) -> None:
        """Record that ``key_id`` was used at ``at``."""
        self._session.execute(
            update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=at)
        )


def _record(row: ApiKeyRow) -> ApiKeyRecord:
    return ApiKeyRecord(
        row.id,
        row.salt,
        row.secret_hash,
        row.role,
        row.merchant_id,
        row.created_at,
        row.last_used_at,
        row.revoked_at,
    )
