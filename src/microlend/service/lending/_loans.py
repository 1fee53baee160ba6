"""Loans read and accepted: the one read of a loan (``loan_view``: its schedule, postings, state
and payoff quote, for the api, the pages and the tests alike), a page of loans, and accepting
one offer of a stored decision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import NotFoundError
from microlend.ledger import Component, Instalment, LoanState, Transaction, receivables
from microlend.service.lending._commands import accept_offer
from microlend.service.lending._receipts import Receipt
from microlend.service.lending._servicing import plan_of, state_of
from microlend.store import LoanBookQueries, LoanRecord, LoanStatus, loan_page

__all__ = ["LoanView", "accept_decision_offer", "loan_view", "loans_page"]


def accept_decision_offer(
    engine: Engine,
    *,
    decision_id: str,
    offer_number: int,
    business_date: date,
    idempotency_key: str,
    scope: str = "",
) -> Receipt:
    """Accept offer ``offer_number`` (from 1) of a stored decision: the loan is created, once
    per decision, while its offers stand (``accept_offer``)."""
    with Session(engine) as session:
        record = LoanBookQueries(session).decision(decision_id)
    offers = record.decision.offers
    if not 1 <= offer_number <= len(offers):
        raise NotFoundError(f"decision {decision_id} has no offer {offer_number}")
    return accept_offer(
        engine,
        merchant_id=record.merchant_id,
        offer=offers[offer_number - 1],
        business_date=business_date,
        idempotency_key=idempotency_key,
        decision_id=decision_id,
        scope=scope,
    )


@dataclass(frozen=True)
class LoanView:
    """A loan with its schedule, its transactions and its state as of ``state.as_of`` (the
    payoff quote is ``state.payoff``). ``owed`` is what its receivables hold after every
    posting: what it owes now, recognised (interest not yet due is not)."""

    loan: LoanRecord
    schedule: tuple[Instalment, ...]
    transactions: tuple[Transaction, ...]
    state: LoanState
    owed: Mapping[Component, Decimal]

    @property
    def owed_total(self) -> Decimal:
        return sum(self.owed.values(), Decimal(0))


def loan_view(engine: Engine, loan_id: str, as_of: date) -> LoanView:
    """Loan ``loan_id`` as of ``as_of``, read in one transaction; ``NotFoundError`` if none."""
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        loan = queries.loan(loan_id)
        transactions = queries.loan_transactions(loan_id)
    return LoanView(
        loan=loan,
        schedule=plan_of(loan),
        transactions=transactions,
        state=state_of(loan, transactions, as_of),
        owed=MappingProxyType(receivables(transactions, loan.loan_id)),
    )


def loans_page(
    engine: Engine,
    *,
    merchant_id: str | None = None,
    status: LoanStatus | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[LoanRecord]:
    """A page of loans in id order (``store.loan_page``)."""
    with Session(engine) as session:
        return loan_page(session, merchant_id=merchant_id, status=status, after=after, limit=limit)
