"""Lending use cases that collect and correct: settlements, payments, reversals.

Each runs in one database transaction with the loan's row locked, so two collections on one loan
never both take the last amount owed; each takes an idempotency key.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import LedgerError
from microlend.ledger import (
    Account,
    Component,
    ShareOfSalesTerms,
    TransactionKind,
    overpayment_refund,
    receivables,
    repayment,
    reversal,
    settlement_holdback,
)
from microlend.money import Money, to_text
from microlend.service.lending._posting import post
from microlend.service.lending._receipts import (
    Receipt,
    header_for,
    idempotent,
    loan_receipt,
    on_loan,
)
from microlend.store import LoanBookCommands, LoanBookQueries, LoanRecord, LoanStatus

__all__ = ["post_payment", "post_settlement", "reverse_transaction"]

_ZERO = Decimal(0)
_COLLECTING = frozenset({LoanStatus.ACTIVE, LoanStatus.REPAID})


def post_settlement(
    engine: Engine,
    loan_id: str,
    net: Money,
    business_date: date,
    idempotency_key: str,
    *,
    scope: str = "",
) -> Receipt:
    """Take the holdback of one daily settlement's ``net`` for a share-of-sales loan, capped at
    what the loan owes (nothing once repaid)."""

    def work(session: Session) -> Receipt:
        loan, owed = _collectable(session, loan_id, net.currency)
        terms = loan.terms
        if not isinstance(terms, ShareOfSalesTerms):
            raise LedgerError(f"loan {loan_id} is {loan.product}: it takes no settlement holdback")
        header = header_for("settlement", idempotency_key, business_date, loan_id, scope)
        entry = settlement_holdback(header, terms, net, owed)
        if entry is None:
            return loan_receipt("settlement", loan, business_date, (), status=loan.status.value)
        status = post(session, loan, [entry], business_date)
        held = sum((p.amount for p in entry.postings if p.account is Account.CASH), _ZERO)
        return loan_receipt("settlement", loan, business_date, [entry], held, status=str(status))

    return on_loan(
        engine,
        "settlement",
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request=_amount(net),
    )


def post_payment(
    engine: Engine,
    loan_id: str,
    payment: Money,
    business_date: date,
    idempotency_key: str,
    *,
    refund_overpayment: bool = True,
    scope: str = "",
) -> Receipt:
    """Apply a payment by the product's waterfall; what exceeds what is owed is owed back to
    the merchant and, unless ``refund_overpayment`` is false, refunded in the same transaction."""

    def work(session: Session) -> Receipt:
        loan, owed = _collectable(session, loan_id, payment.currency)
        entry = repayment(
            header_for("payment", idempotency_key, business_date, loan_id, scope),
            payment,
            owed,
            loan.terms.waterfall,
        )
        excess = sum(
            (-p.amount for p in entry.postings if p.account is Account.MERCHANT_PAYABLE), _ZERO
        )
        entries = [entry]
        if excess > 0 and refund_overpayment:
            refund = header_for("refund", idempotency_key, business_date, loan_id, scope)
            entries.append(overpayment_refund(refund, Money(excess, payment.currency)))
        status = post(session, loan, entries, business_date)
        applied = payment.amount - excess
        return loan_receipt(
            "payment", loan, business_date, entries, applied, overpayment=excess, status=str(status)
        )

    request = _amount(payment) | {"refund": refund_overpayment}
    return on_loan(
        engine,
        "payment",
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request=request,
    )


def reverse_transaction(
    engine: Engine,
    transaction_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    scope: str = "",
) -> Receipt:
    """Post the exact mirror of a transaction (a mistaken payment, accrual or write-off).

    A disbursement is not reversed here (cancel the loan instead), nor is a reversal; a reversal
    that would leave a balance below zero (a payment whose overpayment was already refunded) is
    refused.
    """

    def work(session: Session) -> Receipt:
        queries = LoanBookQueries(session)
        original = queries.transaction(transaction_id)
        if original.kind is TransactionKind.DISBURSEMENT:
            raise LedgerError(f"transaction {transaction_id} is a disbursement: it is not reversed")
        loan = (
            LoanBookCommands(session).lock_loan(original.loan_id)
            if original.loan_id is not None
            else None
        )
        if (earlier := queries.reversed_by(transaction_id)) is not None:
            raise LedgerError(f"transaction {transaction_id} was already reversed by {earlier}")
        header = header_for("reversal", idempotency_key, business_date, original.loan_id, scope)
        entry = reversal(header, original)
        status = post(session, loan, [entry], business_date)
        return Receipt(
            "reversal",
            original.loan_id,
            business_date,
            (entry.id,),
            status=str(status or ""),
            currency=original.currency,
        )

    return idempotent(
        engine,
        operation="reversal",
        key=idempotency_key,
        request={"transaction_id": transaction_id, "business_date": business_date.isoformat()},
        work=work,
        scope=scope,
    )


def _collectable(
    session: Session, loan_id: str, currency: str
) -> tuple[LoanRecord, dict[Component, Decimal]]:
    queries = LoanBookQueries(session)
    loan = queries.loan(loan_id)
    if loan.status not in _COLLECTING:
        # Recoveries after a write-off are not modelled: reverse the write-off first.
        raise LedgerError(f"loan {loan_id} is {loan.status}: it takes no collections")
    if currency != loan.currency:
        raise LedgerError(f"loan {loan_id} is in {loan.currency}, not {currency}")
    return loan, receivables(queries.loan_transactions(loan_id), loan.loan_id)


def _amount(amount: Money) -> dict[str, str | bool]:
    return {"amount": to_text(amount.amount, amount.currency), "currency": amount.currency}
