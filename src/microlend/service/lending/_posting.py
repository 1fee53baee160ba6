"""Posting money to the book under the invariants every use case keeps.

After each posting: no account of the loan, and no cash of the book, is below zero; and the
loan's status follows from its postings (repaid once nothing recognised is owed, written off once
a write-off stands), a loan repaid recording its realised APR.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from microlend.errors import LedgerError
from microlend.ledger import Account, LoanOutcome, Transaction, receivables
from microlend.service.lending._servicing import realised_apr_of, state_of, status_of
from microlend.store import LoanBookCommands, LoanBookQueries, LoanRecord, LoanStatus

__all__ = ["post"]

_ZERO = Decimal(0)


def post(
    session: Session, loan: LoanRecord | None, transactions: Sequence[Transaction], as_of: date
) -> LoanStatus | None:
    """Append ``transactions`` (of ``loan``, or book-level when ``None``), check that no
    balance went below zero, and set the loan's status; returns that status."""
    commands, queries = LoanBookCommands(session), LoanBookQueries(session)
    currencies = {t.currency for t in transactions}
    takes_cash = any(
        p.account is Account.CASH and p.amount < 0 for t in transactions for p in t.postings
    )
    for currency in currencies if takes_cash else ():
        if not commands.lock_book(currency):
            raise LedgerError(f"no {currency} book: fund it before money leaves it")
    commands.append(transactions)
    for currency in currencies if takes_cash else ():
        cash = queries.balances(currency)[Account.CASH]
        if cash < 0:
            raise LedgerError(f"the {currency} book would be short of cash by {-cash}")
    if loan is None:
        return None
    _check_loan_balances(queries, loan)
    history = queries.loan_transactions(loan.loan_id)
    owed = sum(receivables(history, loan.loan_id).values(), _ZERO)
    status = status_of(loan, LoanOutcome.of(state_of(loan, history, as_of), owed))
    if status is not loan.status:
        # Recorded once, as the loan is repaid; a reversal that reopens it clears it.
        realised = realised_apr_of(loan, history) if status is LoanStatus.REPAID else None
        commands.set_status(loan.loan_id, status, realised_apr=realised)
    return status


def _check_loan_balances(queries: LoanBookQueries, loan: LoanRecord) -> None:
    # A loan's own cash is negative by design (the book lent it); every other account of the
    # loan, on its normal side, must stay at zero or above.
    for account, balance in queries.balances(loan.currency, loan_id=loan.loan_id).items():
        if account is not Account.CASH and balance < 0:
            raise LedgerError(f"loan {loan.loan_id}: {account} would be {balance}")
