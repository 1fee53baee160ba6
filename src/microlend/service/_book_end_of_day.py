"""The end of a business day for every active loan: ageing, interest, covenants, write-offs.

For each active loan, from its postings: interest that fell due is accrued; a loan that should
be written off (90+ days past due by default) is written off; its days past due, bucket and
covenant are recorded, and its status follows. Loans go in batches of ``batch_size``, each batch
one database transaction with its loans locked: a whole day in one transaction would hold every
loan's lock (and stop settlements) for the whole run. The run is idempotent per business date:
a loan aged on that date is skipped, and every posting's key names the date and the loan, so a
run stopped half way is finished by running it again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.ledger import (
    Bucket,
    CovenantStatus,
    Transaction,
    TransactionKind,
    interest_accrual,
    loan_state,
    receivables,
    write_off,
)
from microlend.money import Money
from microlend.service._lending_posting import status_of
from microlend.service._lending_receipts import header_for
from microlend.store import (
    Ageing,
    AgeingHistory,
    LoanBookCommands,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    in_transaction,
    plan_of,
)

__all__ = ["EndOfDayReport", "end_of_day"]

logger = logging.getLogger(__name__)

_ZERO = Decimal(0)


@dataclass(frozen=True)
class EndOfDayReport:
    """What one end of day did: loans aged, postings written, loans by bucket afterwards."""

    business_date: date
    loans_aged: int = 0
    interest_accruals: int = 0
    write_offs: int = 0
    covenant_breaches: int = 0
    postings: int = 0
    buckets: Mapping[Bucket, int] = field(default_factory=dict)


@dataclass
class _Tally:
    loans: int = 0
    accruals: int = 0
    write_offs: int = 0
    breaches: int = 0
    postings: int = 0
    buckets: Counter[Bucket] = field(default_factory=Counter)

    def add(self, other: _Tally) -> None:
        self.loans += other.loans
        self.accruals += other.accruals
        self.write_offs += other.write_offs
        self.breaches += other.breaches
        self.postings += other.postings
        self.buckets.update(other.buckets)


def end_of_day(engine: Engine, business_date: date, *, batch_size: int = 1000) -> EndOfDayReport:
    """Close ``business_date`` for every active loan not yet aged on it."""
    tally, after = _Tally(), None
    while True:
        # Counted only once committed: a retried batch must not count twice.
        batch = _Tally()
        after = in_transaction(
            engine,
            partial(_batch, business_date=business_date, after=after, size=batch_size, tally=batch),
        )
        if after is None:
            break
        tally.add(batch)
    logger.info("end of day %s: %d loans, %d postings", business_date, tally.loans, tally.postings)
    return EndOfDayReport(
        business_date=business_date,
        loans_aged=tally.loans,
        interest_accruals=tally.accruals,
        write_offs=tally.write_offs,
        covenant_breaches=tally.breaches,
        postings=tally.postings,
        buckets=dict(tally.buckets),
    )


def _batch(
    session: Session, *, business_date: date, after: str | None, size: int, tally: _Tally
) -> str | None:
    """Age one batch of loans after id ``after``; returns the last id, or ``None`` when done."""
    queries, commands = LoanBookQueries(session), LoanBookCommands(session)
    found = queries.loans(LoanStatus.ACTIVE, after=after, aged_before=business_date, limit=size)
    if not found:
        return None
    loans = [
        loan
        for loan in commands.lock_loans([loan.loan_id for loan in found])
        if loan.status is LoanStatus.ACTIVE
    ]
    history = queries.transactions_of([loan.loan_id for loan in loans])
    new: list[Transaction] = []
    updates = []
    for loan in loans:
        posted, status, ageing = _age(loan, history.get(loan.loan_id, []), business_date)
        new += posted
        updates.append((loan.loan_id, status, ageing))
        _count(tally, posted, ageing)
    tally.postings += commands.append(new)
    commands.set_ageing(updates)
    AgeingHistory(session).record(updates)
    return found[-1].loan_id


def _age(
    loan: LoanRecord, history: Sequence[Transaction], business_date: date
) -> tuple[list[Transaction], LoanStatus, Ageing]:
    # The terms and the schedule once per loan: the state is read again after any posting.
    terms, plan = loan.terms, plan_of(loan)
    state = loan_state(terms, plan, history, business_date)
    posted: list[Transaction] = []
    if state.interest_to_accrue > 0:
        header = header_for(
            "accrual", f"{business_date}:{loan.loan_id}", business_date, loan.loan_id
        )
        posted.append(interest_accrual(header, Money(state.interest_to_accrue, loan.currency)))
    if state.should_write_off:
        owed = receivables([*history, *posted], loan.loan_id)
        if sum(owed.values(), _ZERO) > 0:
            header = header_for(
                "write_off", f"{business_date}:{loan.loan_id}", business_date, loan.loan_id
            )
            posted.append(write_off(header, owed, loan.currency))
    if posted:
        state = loan_state(terms, plan, [*history, *posted], business_date)
    ageing = Ageing(
        aged_on=business_date,
        days_past_due=state.days_past_due,
        bucket=state.bucket,
        covenant=state.covenant,
    )
    owed = receivables([*history, *posted], loan.loan_id)
    return posted, status_of(loan, owed, state), ageing


def _count(tally: _Tally, posted: Sequence[Transaction], ageing: Ageing) -> None:
    tally.loans += 1
    tally.accruals += sum(t.kind is TransactionKind.INTEREST_ACCRUAL for t in posted)
    tally.write_offs += sum(t.kind is TransactionKind.WRITE_OFF for t in posted)
    tally.breaches += ageing.covenant is CovenantStatus.BREACHED
    tally.buckets[ageing.bucket] += 1
