"""Goodwill credit, a servicing action: the lender credits an active loan at its own cost. It
posts one transaction (undone by ``reverse_transaction``); one that, with what the lender gave
the loan up already (``waived_before``, which also bounds the waiver of an accrual's reversal),
is above the policy's ``approval_threshold`` is only proposed, applied when another key
approves it (``approve_goodwill``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import LedgerError, ProposalUnavailableError
from microlend.ledger import Component, Transaction, TransactionKind, goodwill_credit
from microlend.money import Money, to_text
from microlend.service.lending._audit import active_loan, owed_now, record_reason, recorded
from microlend.service.lending._maker_checker import Held, maker_checked
from microlend.service.lending._posting import post
from microlend.service.lending._receipts import Receipt, header_for, on_loan
from microlend.store import (
    ActionKind,
    LoanBookQueries,
    LoanProposals,
    LoanRecord,
    Proposal,
    ProposalStatus,
)

__all__ = ["approve_goodwill", "grant_goodwill_credit", "moved", "waived_before"]


def grant_goodwill_credit(
    engine: Engine,
    loan_id: str,
    credit: Money,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str = "",
    approval_threshold: Decimal | None = None,
) -> Receipt:
    """Credit an active loan ``credit`` at the lender's expense (``ledger.goodwill_credit``):
    it settles what is owed as a payment would, never more than is owed. A credit that, with the
    loan's earlier waivers still standing and credits proposed (``waived_before``), is above
    ``approval_threshold`` is only proposed (``maker_checked``)."""
    text = record_reason(reason)
    request = (_GOODWILL, idempotency_key, scope)

    def work(session: Session) -> Receipt:
        loan = active_loan(session, loan_id, "credited")
        if credit.currency != loan.currency:
            raise LedgerError(f"loan {loan_id} is in {loan.currency}, not {credit.currency}")
        owed, _ = owed_now(session, loan)
        # Built (not posted) to refuse now a credit beyond what is owed, not once approved.
        check = header_for(_GOODWILL, idempotency_key, business_date, loan_id, scope)
        goodwill_credit(check, credit, owed, loan.terms.waterfall)
        prior = waived_before(session, loan)
        held = Held(ActionKind.GOODWILL_CREDIT, credit.amount, text, {}, prior=prior)
        return maker_checked(
            session,
            loan,
            held,
            business_date,
            request,
            approval_threshold,
            lambda: _credited(session, loan, credit, owed, business_date, request, text),
        )

    body = {
        "amount": to_text(credit.amount, credit.currency),
        "currency": credit.currency,
        "reason": reason,
    }
    return on_loan(
        engine,
        "goodwill_credit",
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request=body,
    )


_GOODWILL = "goodwill"


def waived_before(session: Session, loan: LoanRecord) -> Decimal:
    """What the lender gave ``loan`` up already, at its own cost, and still stands: its goodwill
    credits not reversed, its interest accruals reversed (a waiver: what it owed is gone with no
    money received), and its goodwill credits proposed and not yet decided (two proposals must
    not both pass under the threshold). A new credit or accrual reversal counts with these
    against the approval threshold, so a waiver split into small ones is held as one would be."""
    history = LoanBookQueries(session).loan_transactions(loan.loan_id)
    reversed_ids = {t.reverses for t in history if t.reverses is not None}
    accruals = {t.id for t in history if t.kind is TransactionKind.INTEREST_ACCRUAL}
    granted = sum(
        (
            moved(t)
            for t in history
            if (t.kind is TransactionKind.GOODWILL_CREDIT and t.id not in reversed_ids)
            or (t.kind is TransactionKind.REVERSAL and t.reverses in accruals)
        ),
        Decimal(0),
    )
    pending = LoanProposals(session).listed(
        loan_id=loan.loan_id, status=ProposalStatus.PROPOSED, limit=_ALL
    )
    waiting = sum((p.amount for p in pending if p.kind is ActionKind.GOODWILL_CREDIT), Decimal(0))
    return granted + waiting


def moved(transaction: Transaction) -> Decimal:
    """What ``transaction`` moves: the sum of its debits."""
    return sum((p.amount for p in transaction.postings if p.amount > 0), Decimal(0))


#: Enough to read every open proposal of one loan.
_ALL = 1_000_000


def _credited(
    session: Session,
    loan: LoanRecord,
    credit: Money,
    owed: Mapping[Component, Decimal],
    business_date: date,
    request: tuple[str, str, str],
    reason: str,
) -> Receipt:
    operation, key, scope = request
    header = header_for(operation, key, business_date, loan.loan_id, scope)
    entry = goodwill_credit(header, credit, owed, loan.terms.waterfall)
    status = post(session, loan, [entry], business_date)
    kind = ActionKind.GOODWILL_CREDIT
    posted = (entry, credit.amount)
    return recorded(
        session, request, loan, kind, business_date, reason, status=str(status), posted=posted
    )


def approve_goodwill(
    session: Session,
    loan: LoanRecord,
    proposal: Proposal,
    business_date: date,
    request: tuple[str, str, str],
) -> Receipt:
    """How an approved goodwill credit proposal is applied: refused as stale when the loan owes
    less now than the credit proposed."""
    owed, total = owed_now(session, loan)
    if proposal.amount > total:
        raise ProposalUnavailableError(
            "stale",
            f"loan {loan.loan_id} owes {to_text(total, loan.currency)} {loan.currency} now, less "
            f"than the credit of {to_text(proposal.amount, loan.currency)} proposed in "
            f"{proposal.proposal_id}",
        )
    credit = Money(proposal.amount, proposal.currency)
    return _credited(session, loan, credit, owed, business_date, request, proposal.reason)
