"""The loan book's ageing history: each loan's delinquency at every end of day.

The ``loans`` row keeps only the latest ageing; roll rates and vintage curves need the path,
so end of day also appends one row per loan and business date here. Like the snapshot, it is
derived from postings and could be rebuilt from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from microlend.ledger import Bucket
from microlend.store._records import Ageing, LoanStatus
from microlend.store._tables import Base
from microlend.types import LoanId

__all__ = ["AgeingHistory", "AgeingHistoryRow", "AgeingSnapshot"]


class AgeingHistoryRow(Base):
    __tablename__ = "loan_ageing"

    loan_id: Mapped[str] = mapped_column(ForeignKey("loans.id"), primary_key=True)
    aged_on: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(16))
    days_past_due: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(16))


@dataclass(frozen=True)
class AgeingSnapshot:
    """One loan's status and delinquency at the end of one business day."""

    loan_id: LoanId
    aged_on: date
    status: LoanStatus
    days_past_due: int
    bucket: Bucket


class AgeingHistory:
    """Appends and reads the ageing history within the caller's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, updates: Sequence[tuple[str, LoanStatus, Ageing]]) -> None:
        """Append each loan's end-of-day ageing (as given to ``LoanBookCommands.set_ageing``)."""
        rows = [
            {
                "loan_id": loan_id,
                "aged_on": ageing.aged_on,
                "status": status.value,
                "days_past_due": ageing.days_past_due,
                "bucket": ageing.bucket.value,
            }
            for loan_id, status, ageing in updates
            if ageing.aged_on is not None
        ]
        if rows:
            self._session.execute(insert(AgeingHistoryRow), rows)

    def snapshots(self, *, since: date | None = None) -> list[AgeingSnapshot]:
        """Every snapshot (from ``since`` on, when given), by business date then loan."""
        query = select(AgeingHistoryRow)
        if since is not None:
            query = query.where(AgeingHistoryRow.aged_on >= since)
        rows = self._session.scalars(
            query.order_by(AgeingHistoryRow.aged_on, AgeingHistoryRow.loan_id)
        )
        return [
            AgeingSnapshot(
                loan_id=LoanId(row.loan_id),
                aged_on=row.aged_on,
                status=LoanStatus(row.status),
                days_past_due=row.days_past_due,
                bucket=Bucket(row.bucket),
            )
            for row in rows
        ]
