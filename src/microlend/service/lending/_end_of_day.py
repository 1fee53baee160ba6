"""The end of a business day for every active loan: ageing, interest, covenants, write-offs.

For each active loan, from its postings and its payment pauses, the ledger's one servicing step
(``ledger.close_loan_day``, as the backtest closes its days): interest that fell due is
accrued; a loan that should be written off (90+ days past due by default) is written off; its
days past due, bucket and covenant are recorded, and its status follows. Loans go in batches
of ``batch_size``, each batch one database transaction with its loans locked: a whole day in
one transaction would hold every loan's lock (and stop settlements) for the whole run.

A business date is closed once. A loan aged on that date is skipped (checked again under its
lock, so concurrent runs share the work and never age a loan twice), and every posting's key
names the date and the loan, so a run stopped half way is finished by running it again. The
report is read back from the book once the date is closed: every run of one date, concurrent or
later, answers the same. A date before the book's last closed day is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError
from microlend.ledger import LoanContract, Transaction, close_loan_day
from microlend.service.lending._pausing import pauses_of
from microlend.service.lending._receipts import header_for
from microlend.service.lending._servicing import contract_of, realised_apr_of, status_of
from microlend.store import (
    Ageing,
    AgeingHistory,
    EndOfDayReport,
    LoanActions,
    LoanBookCommands,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    in_transaction,
)

__all__ = ["EndOfDayReport", "end_of_day"]

logger = logging.getLogger(__name__)


def end_of_day(
    engine: Engine, business_date: date, *, batch_size: int = 1000, accrue_in_pause: bool = False
) -> EndOfDayReport:
    """Close ``business_date`` for every active loan not yet aged on it, each with its payment
    pauses (interest falls due on paused days only with ``accrue_in_pause``, the policy's)."""
    last = in_transaction(engine, lambda session: LoanBookQueries(session).last_closed_day())
    if last is not None and business_date < last:
        raise ConfigError(f"{business_date} is before the book's last closed day, {last}")
    after: str | None = None
    while True:
        after = in_transaction(
            engine,
            partial(
                _batch,
                business_date=business_date,
                after=after,
                size=batch_size,
                accrue_in_pause=accrue_in_pause,
            ),
        )
        if after is None:
            break
    closed = in_transaction(engine, partial(_close, business_date=business_date))
    logger.info(
        "end of day %s: %d loans, %d postings", business_date, closed.loans_aged, closed.postings
    )
    return EndOfDayReport(**vars(closed))


def _close(session: Session, *, business_date: date) -> EndOfDayReport:
    LoanBookCommands(session).close_day(business_date)
    return AgeingHistory(session).closed_day(business_date)


def _batch(
    session: Session, *, business_date: date, after: str | None, size: int, accrue_in_pause: bool
) -> str | None:
    """Age one batch of loans after id ``after``; returns the last id, or ``None`` when done."""
    queries, commands = LoanBookQueries(session), LoanBookCommands(session)
    found = queries.loans(LoanStatus.ACTIVE, after=after, aged_before=business_date, limit=size)
    if not found:
        return None
    # Read again under lock: a concurrent run may have aged (or closed) some meanwhile.
    loans = [
        loan
        for loan in commands.lock_loans([loan.loan_id for loan in found])
        if loan.status is LoanStatus.ACTIVE
        and (loan.ageing.aged_on is None or loan.ageing.aged_on < business_date)
    ]
    history = queries.transactions_of([loan.loan_id for loan in loans])
    actions = LoanActions(session).of_loans([loan.loan_id for loan in loans])
    new: list[Transaction] = []
    updates = []
    realised: dict[str, float] = {}
    for loan in loans:
        own = history.get(loan.loan_id, [])
        pauses = pauses_of(actions.get(loan.loan_id, ())).values()
        contract = contract_of(loan, pauses, accrue_in_pause=accrue_in_pause)
        posted, status, ageing = _age(loan, contract, own, business_date)
        new += posted
        updates.append((loan.loan_id, status, ageing))
        apr = realised_apr_of(loan, [*own, *posted]) if status is LoanStatus.REPAID else None
        if apr is not None:
            realised[loan.loan_id] = apr
    commands.append(new)
    commands.set_ageing(updates, realised)
    AgeingHistory(session).record(updates)
    return found[-1].loan_id


def _age(
    loan: LoanRecord, contract: LoanContract, history: Sequence[Transaction], business_date: date
) -> tuple[tuple[Transaction, ...], LoanStatus, Ageing]:
    closed = close_loan_day(contract, history, business_date, header_for)
    state = closed.state
    ageing = Ageing(
        aged_on=business_date,
        days_past_due=state.days_past_due,
        bucket=state.bucket,
        covenant=state.covenant,
    )
    return closed.transactions, status_of(loan, closed.outcome), ageing
