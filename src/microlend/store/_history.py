"""The loan book's ageing history: each loan's delinquency at every end of day.

The ``loans`` row keeps only the latest ageing; roll rates and vintage curves need the path,
so end of day also appends one row per loan and business date here. Like the snapshot, it is
derived from postings and could be rebuilt from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, func, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from microlend.ledger import Bucket, CovenantStatus, TransactionKind
from microlend.store._records import Ageing, LoanStatus
from microlend.store._tables import Base, LoanRow, PostingRow, TransactionRow
from microlend.types import LoanId

__all__ = ["AgeingHistory", "AgeingHistoryRow", "AgeingSnapshot", "EndOfDayReport"]


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


@dataclass(frozen=True)
class EndOfDayReport:
    """What the end of one business day did, read back from the book: loans aged (by bucket
    afterwards), covenants found breached, and the accruals and write-offs it posted."""

    business_date: date
    loans_aged: int
    interest_accruals: int
    write_offs: int
    covenant_breaches: int
    postings: int
    buckets: dict[Bucket, int]


#: The transactions end of day posts, by the operation that names their keys.
_DAY_CLOSE_KINDS = {
    "accrual": TransactionKind.INTEREST_ACCRUAL,
    "write_off": TransactionKind.WRITE_OFF,
}


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
        return [_snapshot(row) for row in rows]

    def latest(self, loan_id: str, *, on_or_before: date) -> AgeingSnapshot | None:
        """The loan's last snapshot on or before ``on_or_before``: the ageing its ``loans`` row
        held at the end of that day (``None`` if no end of day had aged it yet)."""
        row = self._session.scalars(
            select(AgeingHistoryRow)
            .where(
                AgeingHistoryRow.loan_id == loan_id,
                AgeingHistoryRow.aged_on <= on_or_before,
            )
            .order_by(AgeingHistoryRow.aged_on.desc())
            .limit(1)
        ).first()
        return None if row is None else _snapshot(row)

    def closed_day(self, business_date: date) -> EndOfDayReport:
        """End of day's work on ``business_date``, however many runs (or concurrent callers)
        shared it: every caller reads the same answer."""
        buckets = self._session.execute(
            select(AgeingHistoryRow.bucket, func.count())
            .where(AgeingHistoryRow.aged_on == business_date)
            .group_by(AgeingHistoryRow.bucket)
        )
        by_bucket = {Bucket(bucket): int(count) for bucket, count in buckets}
        breaches = self._session.scalar(
            select(func.count())
            .select_from(LoanRow)
            .where(
                LoanRow.aged_on == business_date,
                LoanRow.covenant == CovenantStatus.BREACHED.value,
            )
        )
        posted = self._posted_on(business_date)
        return EndOfDayReport(
            business_date=business_date,
            loans_aged=sum(by_bucket.values()),
            interest_accruals=posted.get(TransactionKind.INTEREST_ACCRUAL, (0, 0))[0],
            write_offs=posted.get(TransactionKind.WRITE_OFF, (0, 0))[0],
            covenant_breaches=int(breaches or 0),
            postings=sum(lines for _, lines in posted.values()),
            buckets=by_bucket,
        )

    def _posted_on(self, business_date: date) -> dict[TransactionKind, tuple[int, int]]:
        """Transactions and postings end of day posted on ``business_date``, by kind."""
        keys = [
            TransactionRow.idempotency_key.like(f"{operation}:{business_date}:%")
            for operation in _DAY_CLOSE_KINDS
        ]
        rows = self._session.execute(
            select(
                TransactionRow.kind,
                func.count(func.distinct(TransactionRow.id)),
                func.count(),
            )
            .join(PostingRow, PostingRow.transaction_id == TransactionRow.id)
            .where(TransactionRow.business_date == business_date, or_(*keys))
            .group_by(TransactionRow.kind)
        )
        return {TransactionKind(kind): (int(n), int(lines)) for kind, n, lines in rows}


def _snapshot(row: AgeingHistoryRow) -> AgeingSnapshot:
    return AgeingSnapshot(
        loan_id=LoanId(row.loan_id),
        aged_on=row.aged_on,
        status=LoanStatus(row.status),
        days_past_due=row.days_past_due,
        bucket=Bucket(row.bucket),
    )
