"""A loan as it stood at the end of a past business date, from its postings alone.

Auditors and dispute handling ask what a loan owed, and how late it was, on a given day. The
answer is the ordinary servicing read (``loan_state``, ``receivables``, ``LoanOutcome``) over
the postings dated on or before that day, so it is the answer the book gave on that day: a
payment, a reversal, an accrual or a write-off booked later leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from microlend.errors import LedgerError
from microlend.ledger._day_close import LoanOutcome
from microlend.ledger._entries import Transaction, TransactionKind
from microlend.ledger._pauses import Pause
from microlend.ledger._schedule import Instalment
from microlend.ledger._servicing import LoanState, loan_state
from microlend.ledger._terms import Component, Terms
from microlend.ledger._transactions import receivables
from microlend.types import LoanId

__all__ = ["LoanAsOf", "loan_as_of", "postings_as_of"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class LoanAsOf:
    """A loan at the end of ``state.as_of``: the transactions it had by then (in the order
    given), its state, what its receivables held, and where it stood."""

    transactions: tuple[Transaction, ...]
    state: LoanState
    owed: Mapping[Component, Decimal]
    outcome: LoanOutcome

    @property
    def owed_total(self) -> Decimal:
        return sum(self.owed.values(), _ZERO)


def postings_as_of(transactions: Iterable[Transaction], as_of: date) -> tuple[Transaction, ...]:
    """The ``transactions`` dated on or before ``as_of``, in the order given.

    A transaction counts by its business date, the day it was booked for, not the moment it
    was written: end of day posts a day's accrual and write-off for the day it closes, and a
    reversal is booked on the day it is made, so the mistake it undoes still stands on every
    day before. That is the day the book's balances and ageing were read by on that date."""
    return tuple(t for t in transactions if t.business_date <= as_of)


def loan_as_of(
    loan_id: LoanId,
    terms: Terms,
    schedule: Sequence[Instalment],
    transactions: Iterable[Transaction],
    as_of: date,
    *,
    pauses: Iterable[Pause] = (),
    accrue_in_pause: bool = False,
) -> LoanAsOf:
    """Loan ``loan_id`` (disbursed, with ``schedule``) as it stood at the end of ``as_of``:
    ``LedgerError`` for a date before its disbursement, when it had no balances yet.
    ``pauses``: those granted by then (as they stood then: one resumed later ran on)."""
    until = postings_as_of(transactions, as_of)
    disbursed = any(t.kind is TransactionKind.DISBURSEMENT for t in until)
    if not schedule or not disbursed:
        raise LedgerError(f"loan {loan_id} was not disbursed by {as_of}: it had no balances")
    state = loan_state(
        terms, schedule, until, as_of, pauses=pauses, accrue_in_pause=accrue_in_pause
    )
    owed = MappingProxyType(receivables(until, loan_id))
    outcome = LoanOutcome.of(state, sum(owed.values(), _ZERO))
    return LoanAsOf(transactions=until, state=state, owed=owed, outcome=outcome)
