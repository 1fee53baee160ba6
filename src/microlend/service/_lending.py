"""Lending use cases that open loans: record a decision, fund the book, accept, disburse.

Each runs in one database transaction; each money-moving one takes an idempotency key.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError, LedgerError
from microlend.ledger import Product, disbursement, funding, terms_from_json, terms_to_json
from microlend.money import Money, to_decimal
from microlend.service._lending_posting import post
from microlend.service._lending_receipts import (
    Offer,
    Receipt,
    header_for,
    idempotent,
    transaction_id,
)
from microlend.store import (
    DecisionRecord,
    LoanBookCommands,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    in_transaction,
)
from microlend.types import LoanId, MerchantId

__all__ = ["accept_offer", "disburse", "fund_book", "record_decision"]


def record_decision(engine: Engine, decision: DecisionRecord) -> None:
    """Store a credit decision with its inputs, feature values, score, result and versions."""

    def unit(session: Session) -> None:
        LoanBookCommands(session).add_decision(decision)

    in_transaction(engine, unit)


def fund_book(engine: Engine, amount: Money, business_date: date, idempotency_key: str) -> Receipt:
    """Bring capital into the book's cash: the lender lends only what was brought in."""
    request = {"amount": str(amount.amount), "currency": amount.currency}

    def work(session: Session) -> Receipt:
        LoanBookCommands(session).lock_book(amount.currency, create=True)
        entry = funding(header_for("funding", idempotency_key, business_date, None), amount)
        post(session, None, [entry], business_date)
        return Receipt("funding", None, business_date, (entry.id,), amount.amount)

    return idempotent(engine, operation="funding", key=idempotency_key, request=request, work=work)


def accept_offer(
    engine: Engine,
    *,
    merchant_id: MerchantId,
    offer: Offer,
    business_date: date,
    idempotency_key: str,
    decision_id: str | None = None,
) -> Receipt:
    """Accept ``offer``: the loan is created (not yet disbursed); its id comes from the key."""
    terms = terms_from_json(offer.terms_json, offer.product)
    principal = Money(to_decimal(offer.amount), offer.currency)
    if principal.amount != offer.amount or principal.amount <= 0:
        raise ConfigError(f"offer amount {offer.amount} is not a positive {offer.currency} amount")
    loan_id = LoanId(transaction_id(f"loan:{idempotency_key}"))
    request = offer.as_request() | {"merchant_id": merchant_id, "decision_id": decision_id}

    def work(session: Session) -> Receipt:
        if decision_id is not None:
            decision = LoanBookQueries(session).decision(decision_id)
            if decision.merchant_id != merchant_id:
                raise ConfigError(f"decision {decision_id} is not about merchant {merchant_id}")
        loan = LoanRecord(
            loan_id=loan_id,
            merchant_id=merchant_id,
            decision_id=decision_id,
            product=Product(terms.product),
            terms_json=terms_to_json(terms),
            principal=principal.amount,
            currency=principal.currency,
            status=LoanStatus.ACCEPTED,
            accepted_on=business_date,
        )
        LoanBookCommands(session).add_loan(loan)
        return Receipt("accept", loan_id, business_date, (), principal.amount, status="accepted")

    return idempotent(engine, operation="accept", key=idempotency_key, request=request, work=work)


def disburse(engine: Engine, loan_id: str, business_date: date, idempotency_key: str) -> Receipt:
    """Pay out an accepted loan's principal; its schedule starts on ``business_date``."""

    def work(session: Session) -> Receipt:
        loan = LoanBookQueries(session).loan(loan_id)
        if loan.status is not LoanStatus.ACCEPTED:
            raise LedgerError(f"loan {loan_id} is {loan.status}, not accepted: cannot disburse")
        entry = disbursement(
            header_for("disburse", idempotency_key, business_date, loan_id),
            loan.terms,
            loan.principal_money,
        )
        LoanBookCommands(session).set_status(loan_id, LoanStatus.ACTIVE, disbursed_on=business_date)
        disbursed = LoanBookQueries(session).loan(loan_id)
        status = post(session, disbursed, [entry], business_date)
        return Receipt(
            "disburse",
            disbursed.loan_id,
            business_date,
            (entry.id,),
            loan.principal,
            status=str(status),
        )

    return idempotent(
        engine,
        operation="disburse",
        key=idempotency_key,
        request={"loan_id": loan_id, "business_date": business_date.isoformat()},
        work=work,
        lock_loan=loan_id,
    )
