"""API keys: who may call the decision api, in which role, for which merchant.

Only a salted SHA-256 of each secret is stored, never the secret. A key reads
``ml_<key id>_<secret>``: the id finds the row, the secret is checked against the stored hash in
constant time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, func, select
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


@dataclass(frozen=True)
class ApiKeyRecord:
    """A stored key: its id, salt and salted hash, its role and (merchant keys) merchant."""

    key_id: str
    salt: str
    secret_hash: str
    role: str
    merchant_id: str | None


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
        if row is None:
            return None
        return ApiKeyRecord(row.id, row.salt, row.secret_hash, row.role, row.merchant_id)

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(ApiKeyRow)) or 0
