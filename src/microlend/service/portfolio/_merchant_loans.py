"""A merchant's loans as the merchant reads them: what is left to repay, what is due and when,
what it takes to pay off today, and the money that moved.

Every figure is read from ``lending.loan_view`` (the one read of a loan) and the ledger's own
``loan_state``; nothing here computes a balance of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from microlend.ledger import Account, ShareOfSalesTerms, Transaction, loan_state
from microlend.service.lending import LoanView, loan_view, loans_page
from microlend.store import LoanStatus

__all__ = ["MerchantLoan", "Movement", "merchant_loans"]

#: A merchant has a handful of loans; more than this and the page shows the latest ones.
_MOST = 50


@dataclass(frozen=True)
class Movement:
    """Money that moved between the lender and the merchant on a loan: ``amount`` is positive
    when the merchant paid (a payment, a holdback of its sales), negative when it was paid
    (the loan paid out, an overpayment refunded); ``kind`` is the ledger's transaction kind."""

    on: date
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class MerchantLoan:
    """One loan. ``outstanding``: what is left to repay on its schedule; ``due_now``: what is
    due and unpaid today; ``next_payment``: what newly falls due on ``next_due_on`` (the
    ledger's amount due as of that date less ``due_now``, which is shown on its own: counted
    in both, arrears would read twice); ``payoff``: what pays it off today. ``holdback``: the
    share of each settlement held back (share of sales); ``realised_apr``: the rate it cost,
    once repaid (``LoanRecord.realised_apr``); ``written_off``: what was left unpaid when it
    was written off (``None`` unless it was)."""

    loan_id: str
    product: str
    principal: Decimal
    currency: str
    status: str
    accepted_on: date
    disbursed_on: date | None
    outstanding: Decimal
    due_now: Decimal
    days_past_due: int
    next_due_on: date | None
    next_payment: Decimal | None
    payoff: Decimal
    holdback: Decimal | None
    realised_apr: float | None
    written_off: Decimal | None
    history: tuple[Movement, ...]


def _movement(transaction: Transaction) -> Movement | None:
    """The cash a transaction moved, seen from the merchant (none: no cash moved, as in an
    interest accrual or a write-off)."""
    cash = sum((p.amount for p in transaction.postings if p.account is Account.CASH), Decimal(0))
    if cash == 0:
        return None
    return Movement(transaction.business_date, transaction.kind.value, cash)


def _next_payment(view: LoanView) -> Decimal | None:
    due_on = view.state.next_due_on
    if due_on is None or view.loan.disbursed_on is None:
        return None
    # The ledger's own amount due, as of the next due date, with the postings made so far; what
    # is due already is in it and is shown as due now, so only the rest is the next payment.
    # The pauses move the due dates: without them, instalments a pause moved past this date
    # would count as due by it.
    then = loan_state(
        view.loan.terms, view.schedule, view.transactions, due_on, pauses=view.pauses.values()
    ).amount_due
    coming = then - view.state.amount_due
    return coming if coming > 0 else None


#: A loan closed in the books with money still unpaid, and the expense that took it off.
_TAKEN_OFF = {
    LoanStatus.WRITTEN_OFF: Account.WRITE_OFF_EXPENSE,
    LoanStatus.CHARGED_OFF: Account.CHARGE_OFF_EXPENSE,
}


def _written_off(view: LoanView) -> Decimal | None:
    """What the write-off (or charge-off) took off the receivables, net of any reversal."""
    expense = _TAKEN_OFF.get(view.loan.status)
    if expense is None:
        return None
    return sum(
        (p.amount for t in view.transactions for p in t.postings if p.account is expense),
        Decimal(0),
    )


def _loan(view: LoanView) -> MerchantLoan:
    loan, state = view.loan, view.state
    terms = loan.terms
    history = (_movement(t) for t in view.transactions)
    return MerchantLoan(
        loan_id=loan.loan_id,
        product=loan.product.value,
        principal=loan.principal,
        currency=loan.currency,
        status=loan.status.value,
        accepted_on=loan.accepted_on,
        disbursed_on=loan.disbursed_on,
        outstanding=state.outstanding_total,
        due_now=state.amount_due,
        days_past_due=state.days_past_due,
        next_due_on=state.next_due_on,
        next_payment=_next_payment(view),
        payoff=state.payoff,
        holdback=terms.holdback_rate if isinstance(terms, ShareOfSalesTerms) else None,
        realised_apr=loan.realised_apr,
        written_off=_written_off(view),
        history=tuple(m for m in history if m is not None),
    )


def merchant_loans(engine: Engine, merchant_id: str, as_of: date) -> tuple[MerchantLoan, ...]:
    """``merchant_id``'s loans as of ``as_of``, the latest accepted first."""
    found = loans_page(engine, merchant_id=merchant_id, limit=_MOST)
    loans = [_loan(loan_view(engine, record.loan_id, as_of)) for record in found]
    return tuple(sorted(loans, key=lambda loan: (loan.accepted_on, loan.loan_id), reverse=True))
