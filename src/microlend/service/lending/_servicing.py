"""A stored loan as the ledger services it: its contract, its state, and its status.

The ledger knows nothing of the book's records: it services a ``LoanContract`` (the terms and
the schedule) from postings, and says where the loan stands as a ``LoanOutcome``. This module is
the edge between the two: a ``LoanRecord`` becomes a contract here, an outcome a
``LoanStatus``, and a repaid loan's history its realised APR.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from types import MappingProxyType

from microlend.errors import LedgerError
from microlend.ledger import (
    Instalment,
    LoanContract,
    LoanOutcome,
    LoanState,
    Pause,
    Transaction,
    flows_apr,
    loan_state,
    realised_cash_flows,
    schedule,
)
from microlend.store import LoanRecord, LoanStatus

__all__ = ["contract_of", "plan_of", "realised_apr_of", "state_of", "status_of"]

_STATUS = MappingProxyType(
    {
        LoanOutcome.ACTIVE: LoanStatus.ACTIVE,
        LoanOutcome.REPAID: LoanStatus.REPAID,
        LoanOutcome.WRITTEN_OFF: LoanStatus.WRITTEN_OFF,
        LoanOutcome.CHARGED_OFF: LoanStatus.CHARGED_OFF,
    }
)
assert set(_STATUS) == set(LoanOutcome), "every outcome of the ledger is a status of the book"


def plan_of(loan: LoanRecord) -> tuple[Instalment, ...]:
    """A stored loan's schedule (``ledger.schedule``); none before it is disbursed."""
    if loan.disbursed_on is None:
        return ()
    return schedule(loan.terms, loan.principal_money, loan.disbursed_on)


def contract_of(
    loan: LoanRecord, pauses: Iterable[Pause] = (), *, accrue_in_pause: bool = False
) -> LoanContract:
    """What the ledger services of a disbursed loan: its terms, its schedule and its payment
    ``pauses`` (with the policy's ``accrue_in_pause``)."""
    assert loan.disbursed_on is not None, f"loan {loan.loan_id} is not disbursed"
    terms = loan.terms  # read once: end of day makes a contract of every active loan
    plan = schedule(terms, loan.principal_money, loan.disbursed_on)
    return LoanContract(
        loan.loan_id, loan.currency, terms, plan, tuple(pauses), accrue_in_pause=accrue_in_pause
    )


def state_of(
    loan: LoanRecord,
    transactions: Iterable[Transaction],
    as_of: date,
    pauses: Iterable[Pause] = (),
    *,
    accrue_in_pause: bool = False,
) -> LoanState:
    """``ledger.loan_state`` of a stored loan (an undisbursed one has no schedule: it owes
    nothing yet), with its payment ``pauses``."""
    return loan_state(
        loan.terms,
        plan_of(loan),
        transactions,
        as_of,
        pauses=pauses,
        accrue_in_pause=accrue_in_pause,
    )


def status_of(loan: LoanRecord, outcome: LoanOutcome) -> LoanStatus:
    """The book's status of ``loan`` whose postings give ``outcome``: accepted until disbursed."""
    if loan.disbursed_on is None:
        return LoanStatus.ACCEPTED
    return _STATUS[outcome]


def realised_apr_of(loan: LoanRecord, transactions: Iterable[Transaction]) -> float | None:
    """The effective annual rate of the cash flows ``loan`` really had (``ledger.flows_apr``
    over ``ledger.realised_cash_flows``): what its merchant paid for the credit, recorded when
    it is repaid. ``None`` when the flows have no rate (a loan repaid the day it was lent)."""
    try:
        return flows_apr(realised_cash_flows(transactions, loan.loan_id))
    except LedgerError:
        return None
