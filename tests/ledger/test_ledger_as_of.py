"""``ledger.loan_as_of``: a loan as it stood at the end of a past day, from the postings dated
on or before it; a payment and its reversal booked later leave that day as it was."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from test_ledger_servicing import FIXED, LOAN, ROWS, START, disbursed, pay

from microlend.errors import LedgerError
from microlend.ledger import (
    Header,
    LoanOutcome,
    loan_as_of,
    loan_state,
    postings_as_of,
    receivables,
    reversal,
)


def test_each_day_reads_what_the_book_held_then() -> None:
    book = disbursed()
    first_due = ROWS[0].due_on
    seen = {START: loan_as_of(LOAN, FIXED, ROWS, book, START)}
    pay(book, first_due, "50.00")  # part of the first instalment
    seen[first_due] = loan_as_of(LOAN, FIXED, ROWS, book, first_due)
    late = first_due + timedelta(days=20)
    book.append(reversal(Header("r", late, "r", LOAN), book[-1]))  # the payment was a mistake
    seen[late] = loan_as_of(LOAN, FIXED, ROWS, book, late)

    for day, then in seen.items():
        assert loan_as_of(LOAN, FIXED, ROWS, book, day) == then
        until = postings_as_of(book, day)
        assert then.transactions == until
        assert then.state == loan_state(FIXED, ROWS, until, day)
        assert dict(then.owed) == receivables(until, LOAN)
        assert then.outcome is LoanOutcome.ACTIVE
    assert seen[first_due].state.days_past_due == 0
    assert seen[late].state.days_past_due == 20
    # Before the reversal the payment stood; after it, the whole instalment is late again.
    assert seen[first_due].state.amount_due < seen[late].state.amount_due
    assert seen[START].owed_total == Decimal("1000.00")


def test_a_day_before_the_disbursement_had_no_balances() -> None:
    with pytest.raises(LedgerError, match="not disbursed by"):
        loan_as_of(LOAN, FIXED, ROWS, disbursed(), START - timedelta(days=1))
