"""The loan book's tables, as SQLAlchemy 2 typed declarative classes.

Balances are not columns anywhere: they are sums of ``postings``. A loan row holds what was
agreed (terms, principal), the last end-of-day ageing snapshot (days past due, bucket,
covenant), which portfolio reads use and which the next end of day recomputes from postings,
and once it is repaid its realised APR (a float, as every APR: a rate, not money).
The migrations in ``migrations/versions`` create exactly these tables; a test compares them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from microlend.store._types import Amount, Document

__all__ = [
    "IDEMPOTENCY_KEY_LENGTH",
    "ID_LENGTH",
    "Base",
    "BookRow",
    "BusinessDayRow",
    "DecisionRow",
    "IdempotencyKeyRow",
    "LoanRow",
    "MerchantRow",
    "PostingRow",
    "Sequenced",
    "TransactionRow",
]

#: Length of every id column (a merchant's, a loan's, an action's, an API key's).
ID_LENGTH = 64
# SQLite numbers rows itself only in an INTEGER PRIMARY KEY.
_SEQ = BigInteger().with_variant(Integer(), "sqlite")
_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


class Sequenced:
    """The key of an append-only table (transactions, loan actions, proposals): ``seq``
    numbers rows in the order they were recorded (timestamps may tie), ``id`` is what callers
    name a row by."""

    # sort_order: first in the table, as the migrations create them.
    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True, sort_order=-2)
    id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True, sort_order=-1)


class MerchantRow(Base):
    __tablename__ = "merchants"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    category: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(64))
    onboarded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The merchant's latest decision: it supersedes every earlier one, whose offers can no
    #: longer be accepted. Decisions themselves are never updated.
    latest_decision_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))


class DecisionRow(Base):
    """A credit decision, stored whole so it can be replayed and give the same answer."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id"), index=True)
    application_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    as_of: Mapped[date] = mapped_column(Date)
    policy_version: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]] = mapped_column(Document)
    feature_values: Mapped[dict[str, Any]] = mapped_column(Document)
    score: Mapped[dict[str, Any]] = mapped_column(Document)
    result: Mapped[dict[str, Any]] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
    #: The last day its offers may be accepted; none on a decline.
    expires_on: Mapped[date | None] = mapped_column(Date)
    #: What the merchant was told in writing of a decline or a counter-offer
    #: (``policy.Notice.to_dict``); none on a full approval, and on decisions stored before
    #: notices were kept.
    notice: Mapped[dict[str, Any] | None] = mapped_column(Document)


class LoanRow(Base):
    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint("principal > 0", name="principal_positive"),
        CheckConstraint("days_past_due >= 0", name="dpd_not_negative"),
        Index(None, "status", "id"),
        # A decision is single-use: at most one loan (cancelled ones included) comes of it.
        Index(None, "decision_id", unique=True),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id"), index=True)
    decision_id: Mapped[str | None] = mapped_column(ForeignKey("decisions.id"))
    product: Mapped[str] = mapped_column(String(32))
    terms: Mapped[str] = mapped_column(Text)
    principal: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    accepted_on: Mapped[date] = mapped_column(Date)
    disbursed_on: Mapped[date | None] = mapped_column(Date)
    aged_on: Mapped[date | None] = mapped_column(Date)
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    bucket: Mapped[str] = mapped_column(String(16), default="current")
    covenant: Mapped[str | None] = mapped_column(String(16))
    #: The effective annual rate of its real cash flows, recorded when it is repaid.
    realised_apr: Mapped[float | None] = mapped_column(Double)


class BookRow(Base):
    """One row per currency book, locked while cash leaves it so cash never goes negative."""

    __tablename__ = "books"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)


class TransactionRow(Sequenced, Base):
    """A balanced ledger transaction; ``seq`` is the order in which the book received it."""

    __tablename__ = "transactions"

    loan_id: Mapped[str | None] = mapped_column(ForeignKey("loans.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    business_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str] = mapped_column(String(256), unique=True)
    # Unique: a transaction is reversed at most once.
    reverses: Mapped[str | None] = mapped_column(ForeignKey("transactions.id"), unique=True)


class PostingRow(Base):
    __tablename__ = "postings"
    __table_args__ = (CheckConstraint("amount <> 0", name="amount_not_zero"),)

    transaction_id: Mapped[str] = mapped_column(ForeignKey("transactions.id"), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(32), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount)


class BusinessDayRow(Base):
    """A business date closed by end of day: none before the last one is closed again."""

    __tablename__ = "business_days"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )


#: The longest idempotency key a caller may send.
IDEMPOTENCY_KEY_LENGTH = 255


class IdempotencyKeyRow(Base):
    """The first answer to a money-moving request, returned again when its key is replayed.

    Keys are scoped to the caller (``scope``: the API key's id; empty for the book's own
    commands), so one caller can neither take nor read another's key. The row is claimed
    before the request's work and answered (``response``) in the same transaction.
    """

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(IDEMPOTENCY_KEY_LENGTH), primary_key=True)
    operation: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
