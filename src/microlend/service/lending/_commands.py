"""Lending use cases that open loans: record a decision, fund the book, accept, disburse, cancel.

Each runs in one database transaction; each money-moving one takes an idempotency key, scoped to
its caller (``scope``). Accepting and disbursing hold the merchant's lock and keep the rules of
``_credit``: one loan per decision, while its offers stand, within the limit it granted.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError, LedgerError
from microlend.ledger import disbursement, funding, terms_to_dict
from microlend.money import Money, to_text
from microlend.policy import Offer
from microlend.service.lending._credit import check_within_limit, usable_decision
from microlend.service.lending._posting import post
from microlend.service.lending._receipts import (
    Receipt,
    header_for,
    idempotent,
    loan_receipt,
    on_loan,
    scoped_key,
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

__all__ = ["accept_offer", "cancel_loan", "disburse", "fund_book", "record_decision"]


def record_decision(engine: Engine, decision: DecisionRecord) -> None:
    """Store a credit decision with its inputs, feature values, score, result and versions;
    it supersedes the merchant's earlier decisions."""

    def unit(session: Session) -> None:
        commands = LoanBookCommands(session)
        commands.supersede(decision.merchant_id, decision.decision_id)
        commands.add_decision(decision)

    in_transaction(engine, unit)


def fund_book(
    engine: Engine, amount: Money, business_date: date, idempotency_key: str, *, scope: str = ""
) -> Receipt:
    """Bring capital into the book's cash: the lender lends only what was brought in."""
    request = {"amount": to_text(amount.amount, amount.currency), "currency": amount.currency}

    def work(session: Session) -> Receipt:
        LoanBookCommands(session).lock_book(amount.currency, create=True)
        header = header_for("funding", idempotency_key, business_date, None, scope)
        entry = funding(header, amount)
        post(session, None, [entry], business_date)
        return Receipt(
            "funding", None, business_date, (entry.id,), amount.amount, currency=amount.currency
        )

    return idempotent(
        engine, operation="funding", key=idempotency_key, request=request, work=work, scope=scope
    )


def accept_offer(
    engine: Engine,
    *,
    merchant_id: MerchantId,
    offer: Offer,
    business_date: date,
    idempotency_key: str,
    decision_id: str | None = None,
    scope: str = "",
) -> Receipt:
    """Accept ``offer`` (the policy's, with its terms): the loan is created (not yet
    disbursed); its id comes from the key.

    With ``decision_id`` the offer must be one of that decision's, standing on
    ``business_date`` and within the limit it granted (``_credit``); without, it is the
    platform's own loan, and only the merchant must exist.
    """
    principal = offer.amount
    if principal.amount <= 0:
        raise ConfigError(f"offer amount {principal} is not positive")
    loan = LoanRecord(
        loan_id=LoanId(transaction_id(scoped_key("loan", idempotency_key, scope))),
        merchant_id=merchant_id,
        decision_id=decision_id,
        terms=offer.terms,
        principal=principal.amount,
        currency=principal.currency,
        status=LoanStatus.ACCEPTED,
        accepted_on=business_date,
    )
    request = _accept_request(offer) | {"merchant_id": merchant_id, "decision_id": decision_id}

    def work(session: Session) -> Receipt:
        decision = None
        if decision_id is None:
            LoanBookCommands(session).lock_merchant(merchant_id)
        else:
            decision = usable_decision(session, decision_id, business_date)
            if decision.merchant_id != merchant_id:
                raise ConfigError(f"decision {decision_id} is not about merchant {merchant_id}")
            # The offer must be one the decision made: the same amount and terms. Compared on
            # what binds the loan, not on the whole record, whose quote and APR are floats.
            made = decision.decision.offers
            if not any((o.amount, o.terms) == (offer.amount, offer.terms) for o in made):
                raise ConfigError(f"the offer is not one of decision {decision_id}'s offers")
        check_within_limit(session, loan, business_date, decision=decision)
        LoanBookCommands(session).add_loan(loan)
        return loan_receipt("accept", loan, business_date, (), loan.principal, status="accepted")

    return idempotent(
        engine, operation="accept", key=idempotency_key, request=request, work=work, scope=scope
    )


def _accept_request(offer: Offer) -> dict[str, str]:
    """What an accept's idempotency key is bound to: the principal and the terms. The terms are
    the compact, sorted JSON text that accepting a decision's offer has always fingerprinted, so
    a key sent again after an upgrade still answers as it first did."""
    terms = json.dumps(terms_to_dict(offer.terms), sort_keys=True, separators=(",", ":"))
    return {
        "amount": to_text(offer.amount.amount, offer.amount.currency),
        "currency": offer.amount.currency,
        "product": offer.product.value,
        "terms": terms,
    }


def disburse(
    engine: Engine,
    loan_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    scope: str = "",
    merchant_cap: Decimal | None = None,
) -> Receipt:
    """Pay out an accepted loan's principal; its schedule starts on ``business_date``. The
    merchant's exposure plus this loan must still be within what its decision granted and
    within ``merchant_cap`` (the policy's) as of that date."""

    def work(session: Session) -> Receipt:
        queries = LoanBookQueries(session)
        loan = queries.loan(loan_id)
        if loan.status is not LoanStatus.ACCEPTED:
            raise LedgerError(f"loan {loan_id} is {loan.status}, not accepted: cannot disburse")
        LoanBookCommands(session).lock_merchant(loan.merchant_id)
        decision = None if loan.decision_id is None else queries.decision(loan.decision_id)
        check_within_limit(
            session, loan, business_date, decision=decision, merchant_cap=merchant_cap
        )
        header = header_for("disburse", idempotency_key, business_date, loan_id, scope)
        entry = disbursement(header, loan.terms, loan.principal_money)
        LoanBookCommands(session).set_status(loan_id, LoanStatus.ACTIVE, disbursed_on=business_date)
        disbursed = queries.loan(loan_id)
        status = post(session, disbursed, [entry], business_date)
        return loan_receipt(
            "disburse", disbursed, business_date, [entry], loan.principal, status=str(status)
        )

    return on_loan(engine, "disburse", loan_id, business_date, idempotency_key, work, scope=scope)


def cancel_loan(
    engine: Engine, loan_id: str, business_date: date, idempotency_key: str, *, scope: str = ""
) -> Receipt:
    """Cancel an accepted loan before it is disbursed: nothing moved, nothing is posted, and
    its principal no longer counts against the merchant. Its decision stays used."""

    def work(session: Session) -> Receipt:
        loan = LoanBookQueries(session).loan(loan_id)
        if loan.status is not LoanStatus.ACCEPTED:
            raise LedgerError(f"loan {loan_id} is {loan.status}, not accepted: cannot cancel")
        LoanBookCommands(session).lock_merchant(loan.merchant_id)
        LoanBookCommands(session).set_status(loan_id, LoanStatus.CANCELLED)
        return loan_receipt("cancel", loan, business_date, (), loan.principal, status="cancelled")

    return on_loan(engine, "cancel", loan_id, business_date, idempotency_key, work, scope=scope)
