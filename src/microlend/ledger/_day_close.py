"""Closing one loan's business day: the one servicing step of end of day and of the backtest.

At the close of ``day`` a disbursed loan recognises the interest that fell due (one accrual: by the
due dates its payment pauses moved, unless the policy accrues on paused days), is
written off when the write-off rule says so and something is still owed (one write-off of all
its receivables), and its state and outcome (still active, repaid, written off) follow from its
postings with those. The step is pure: it reads the loan's contract and postings and returns
what to post; the caller appends it to the book (end of day, a batch per database transaction)
or to its own sums (the backtest, in memory). Both therefore post the same transactions under
the same idempotency keys: ``operation:day:loan`` (``accrual``, ``write_off``), so closing a day
twice finds the first close's keys.

The postings may be given summed (``LoanPostings``, as the backtest keeps them) or as the loan's
transactions (as end of day reads them); the step is the same either way. Transactions dated
after ``day`` (a day closed late) take no part in the state as of ``day``, but what a write-off
takes, and whether the loan is repaid, count every posting: the receivables must end at zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from microlend.ledger._entries import Transaction
from microlend.ledger._loan_postings import LoanPostings
from microlend.ledger._pauses import Pause
from microlend.ledger._schedule import Instalment
from microlend.ledger._servicing import (
    LoanState,
    WriteOffRule,
    ninety_days_past_due,
    serviced,
)
from microlend.ledger._terms import Terms
from microlend.ledger._transactions import Header, interest_accrual, write_off
from microlend.money import Money
from microlend.types import LoanId

__all__ = [
    "DayClose",
    "HeaderRule",
    "LoanContract",
    "LoanOutcome",
    "accrue_due_interest",
    "close_loan_day",
]


class LoanOutcome(StrEnum):
    """Where a disbursed loan stands after its postings."""

    ACTIVE = "active"
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"
    CHARGED_OFF = "charged_off"

    @classmethod
    def of(cls, state: LoanState, owed_total: Decimal) -> LoanOutcome:
        """The outcome of a loan in ``state`` whose receivables hold ``owed_total``."""
        if state.written_off:
            return cls.WRITTEN_OFF
        if state.charged_off:
            return cls.CHARGED_OFF
        # Interest falls due only while principal is lent: a loan with nothing recognised left
        # to pay is repaid, and no later close accrues on it.
        return cls.REPAID if owed_total == 0 else cls.ACTIVE


@dataclass(frozen=True)
class LoanContract:
    """A disbursed loan as servicing reads it: what was agreed, its schedule, the payment
    pauses granted on it, and whether interest still falls due on paused days (the policy's
    ``pause_accrual``; ``serviced`` says how)."""

    loan_id: LoanId
    currency: str
    terms: Terms
    schedule: tuple[Instalment, ...]
    pauses: tuple[Pause, ...] = ()
    accrue_in_pause: bool = False

    def state(
        self, postings: LoanPostings, day: date, write_off_rule: WriteOffRule = ninety_days_past_due
    ) -> LoanState:
        """The loan serviced as of ``day`` from ``postings`` (``ledger.serviced``)."""
        return serviced(
            self.terms,
            self.schedule,
            postings,
            day,
            write_off_rule=write_off_rule,
            pauses=self.pauses,
            accrue_in_pause=self.accrue_in_pause,
        )

    def __post_init__(self) -> None:
        assert self.schedule, f"loan {self.loan_id}: a disbursed loan has a schedule"
        assert all(row.currency == self.currency for row in self.schedule), self.loan_id


class HeaderRule(Protocol):
    """Names a transaction the step posts: the header of ``operation`` done for request ``key``
    on ``business_date`` to ``loan_id`` (the service's ``header_for``: ids derive from keys)."""

    def __call__(
        self, operation: str, key: str, business_date: date, loan_id: str | None, /
    ) -> Header: ...


@dataclass(frozen=True)
class DayClose:
    """What a day's close of one loan posts, and the loan's state and outcome after it."""

    transactions: tuple[Transaction, ...]
    state: LoanState
    outcome: LoanOutcome


def close_loan_day(
    contract: LoanContract,
    history: LoanPostings | Iterable[Transaction],
    day: date,
    header: HeaderRule,
    *,
    write_off_rule: WriteOffRule = ninety_days_past_due,
) -> DayClose:
    """Close ``day`` for one loan: accrue the interest that fell due, then write the loan off
    when ``write_off_rule`` says so and something is owed. ``history`` is the loan's postings
    (summed, or its transactions), left as it is."""
    sums = _Sums.of(contract, history, day)
    posted, state, sums = _accrue(contract, sums, day, header, write_off_rule)
    writes_off = state.should_write_off and sums.everything.owed_total > 0
    if writes_off:
        loan_id = contract.loan_id
        taken = write_off(
            header("write_off", f"{day}:{loan_id}", day, loan_id),
            sums.everything.owed,
            contract.currency,
        )
        posted.append(taken)
        sums = sums.plus([taken])
        state = contract.state(sums.until, day)
        # A write-off takes everything the receivables hold, whatever the day.
        assert state.written_off, loan_id
        assert sums.everything.owed_total == 0, loan_id
    outcome = LoanOutcome.of(state, sums.everything.owed_total)
    assert not writes_off or outcome is LoanOutcome.WRITTEN_OFF, outcome
    return DayClose(tuple(posted), state, outcome)


def accrue_due_interest(
    contract: LoanContract,
    history: LoanPostings | Iterable[Transaction],
    day: date,
    header: HeaderRule,
    *,
    write_off_rule: WriteOffRule = ninety_days_past_due,
) -> DayClose:
    """The close's first part alone: the interest that fell due by ``day`` recognised (at most
    one accrual) and the state after it, which a collection that day is checked against."""
    sums = _Sums.of(contract, history, day)
    posted, state, sums = _accrue(contract, sums, day, header, write_off_rule)
    return DayClose(tuple(posted), state, LoanOutcome.of(state, sums.everything.owed_total))


@dataclass(frozen=True)
class _Sums:
    """A loan's postings dated up to the day closed (what its state reads) and all of them
    (what its receivables hold): one object unless some are dated after the day."""

    until: LoanPostings
    everything: LoanPostings

    @classmethod
    def of(
        cls, contract: LoanContract, history: LoanPostings | Iterable[Transaction], day: date
    ) -> _Sums:
        if isinstance(history, LoanPostings):
            sums = cls(history, history)
        else:
            transactions = list(history)
            everything = LoanPostings.of(transactions)
            until = everything
            if everything.last_date is not None and everything.last_date > day:
                until = LoanPostings.of(t for t in transactions if t.business_date <= day)
            sums = cls(until, everything)
        loan_id = sums.everything.loan_id
        assert loan_id in (None, contract.loan_id), (loan_id, contract.loan_id)
        return sums

    def plus(self, posted: Sequence[Transaction]) -> _Sums:
        """Both sums with ``posted`` added, as new objects: the caller's stay as they were."""
        if self.until is self.everything:
            summed = self.until.plus(posted)
            return _Sums(summed, summed)
        return _Sums(self.until.plus(posted), self.everything.plus(posted))


def _accrue(
    contract: LoanContract,
    sums: _Sums,
    day: date,
    header: HeaderRule,
    write_off_rule: WriteOffRule,
) -> tuple[list[Transaction], LoanState, _Sums]:
    """The accrual due by ``day`` (none or one), the state and the sums after it."""
    state = contract.state(sums.until, day, write_off_rule)
    if state.interest_to_accrue <= 0:
        return [], state, sums
    loan_id = contract.loan_id
    accrual = interest_accrual(
        header("accrual", f"{day}:{loan_id}", day, loan_id),
        Money(state.interest_to_accrue, contract.currency),
    )
    sums = sums.plus([accrual])
    after = contract.state(sums.until, day, write_off_rule)
    # Recognised, the interest is no longer to accrue: closing the day again posts nothing.
    assert after.interest_to_accrue == 0, loan_id
    return [accrual], after, sums
