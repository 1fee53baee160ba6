"""Portfolio reads for the risk officer: the book's overview and its loans (one loan in full is
``lending.loan_view``, the one read of a loan).

Balances come from postings (``ledger.receivables`` over each loan's transactions); buckets
from the last end of day. Nothing here writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.ledger import Account, Bucket, receivables
from microlend.store import LoanBookQueries, LoanRecord, LoanStatus, PortfolioQueries

__all__ = [
    "BucketLine",
    "LoanSummary",
    "PortfolioOverview",
    "list_loans",
    "loan_summaries",
    "portfolio_overview",
]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class LoanSummary:
    """One line of the loans list: what was lent, what is owed, how late."""

    loan_id: str
    merchant_id: str
    product: str
    principal: Decimal
    currency: str
    status: LoanStatus
    disbursed_on: date | None
    days_past_due: int
    bucket: Bucket
    outstanding: Decimal


@dataclass(frozen=True)
class BucketLine:
    bucket: Bucket
    loans: int
    outstanding: Decimal


@dataclass(frozen=True)
class PortfolioOverview:
    """The book in one look: ``funded`` is the principal disbursed, ``outstanding`` what
    active loans owe (principal, interest, fees), ``losses`` what was written off or charged
    off (principal, interest, fees), ``recoveries`` what was collected on such loans since."""

    currency: str
    loans_by_status: Mapping[LoanStatus, int]
    funded: Decimal
    outstanding: Decimal
    losses: Decimal
    recoveries: Decimal
    buckets: tuple[BucketLine, ...]


#: Statuses that keep a loan in the delinquency buckets, and the bucket a closed-out one is in.
_OFF_BOOK = {LoanStatus.WRITTEN_OFF: Bucket.WRITTEN_OFF, LoanStatus.CHARGED_OFF: Bucket.CHARGED_OFF}
_BUCKETED = frozenset({LoanStatus.ACTIVE, *_OFF_BOOK})


def _bucket(loan: LoanRecord) -> Bucket:
    return _OFF_BOOK.get(loan.status, loan.ageing.bucket)


def loan_summaries(session: Session, loans: Sequence[LoanRecord]) -> list[LoanSummary]:
    """One summary per loan, in their order, with what each owes (from its postings)."""
    history = LoanBookQueries(session).transactions_of([loan.loan_id for loan in loans])
    return [
        LoanSummary(
            loan_id=loan.loan_id,
            merchant_id=loan.merchant_id,
            product=loan.product.value,
            principal=loan.principal,
            currency=loan.currency,
            status=loan.status,
            disbursed_on=loan.disbursed_on,
            days_past_due=loan.ageing.days_past_due,
            bucket=_bucket(loan),
            outstanding=sum(
                receivables(history.get(loan.loan_id, []), loan.loan_id).values(), _ZERO
            ),
        )
        for loan in loans
    ]


def list_loans(engine: Engine, *, after: str | None = None, limit: int = 100) -> list[LoanSummary]:
    """Loans of every status in id order, ``limit`` after id ``after``, with what each owes."""
    with Session(engine) as session:
        return loan_summaries(session, PortfolioQueries(session).loans(after=after, limit=limit))


def portfolio_overview(engine: Engine, currency: str) -> PortfolioOverview:
    """Funded, outstanding, losses and the delinquency buckets of the book in ``currency``."""
    with Session(engine) as session:
        loans = [loan for loan in PortfolioQueries(session).loans() if loan.currency == currency]
        summaries = loan_summaries(session, loans)
        book = LoanBookQueries(session).balances(currency)
    counts: Counter[Bucket] = Counter()
    owed: dict[Bucket, Decimal] = dict.fromkeys(Bucket, _ZERO)
    for line in summaries:
        if line.status in _BUCKETED:
            counts[line.bucket] += 1
            owed[line.bucket] += line.outstanding
    return PortfolioOverview(
        currency=currency,
        loans_by_status={s: sum(x.status is s for x in summaries) for s in LoanStatus},
        funded=sum((x.principal for x in summaries if x.disbursed_on is not None), _ZERO),
        outstanding=sum((x.outstanding for x in summaries if x.status is LoanStatus.ACTIVE), _ZERO),
        losses=book[Account.WRITE_OFF_EXPENSE] + book[Account.CHARGE_OFF_EXPENSE],
        recoveries=book[Account.RECOVERY_INCOME],
        buckets=tuple(BucketLine(b, counts[b], owed[b]) for b in Bucket),
    )
