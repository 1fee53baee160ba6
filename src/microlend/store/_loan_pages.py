"""Pages of loans for portfolio reads: filtered by merchant and status, in id order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from microlend.store._codec import loan_from_row
from microlend.store._records import LoanRecord, LoanStatus
from microlend.store._tables import LoanRow

__all__ = ["loan_page"]


def loan_page(
    session: Session,
    *,
    merchant_id: str | None = None,
    status: LoanStatus | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[LoanRecord]:
    """Up to ``limit`` loans after id ``after`` (keyset pagination), optionally of one merchant
    and in one status."""
    query = select(LoanRow)
    if merchant_id is not None:
        query = query.where(LoanRow.merchant_id == merchant_id)
    if status is not None:
        query = query.where(LoanRow.status == status.value)
    if after is not None:
        query = query.where(LoanRow.id > after)
    rows = session.scalars(query.order_by(LoanRow.id).limit(limit))
    return [loan_from_row(row) for row in rows]
