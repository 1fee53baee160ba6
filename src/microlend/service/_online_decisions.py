"""Online decisions: underwrite a merchant from a feature snapshot, store the decision with all
it was made from, replay it, accept one of its offers, and read a loan back.

Deciding, storing and replaying are ``_decisions``' one path, shared with the decisions made from
the records (``underwrite_application``, the backtest): only the features come from elsewhere.
``replay_decision`` rates the stored inputs again and decides again under the given policy, so a
changed model or policy shows as a different answer.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import NotFoundError
from microlend.ledger import Instalment, LoanState, Transaction, schedule
from microlend.models import PDModel
from microlend.money import Money
from microlend.policy import CreditRequest, Decision, Policy
from microlend.service._decisions import Application, decide_and_store, replay
from microlend.service._lending import accept_offer
from microlend.service._lending_receipts import Offer, Receipt
from microlend.service._online import FeatureSnapshot
from microlend.store import (
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    loan_page,
    state_of,
)

__all__ = [
    "LoanView",
    "Replay",
    "accept_decision_offer",
    "decision_merchant",
    "loan_view",
    "loans_page",
    "replay_decision",
    "underwrite",
]


def underwrite(
    engine: Engine,
    snapshot: FeatureSnapshot,
    policy: Policy,
    *,
    merchant_id: str,
    model_version: str,
    requested_amount: Decimal | None = None,
) -> Decision:
    """Decide on an application of ``merchant_id`` as of the snapshot's date and store it
    (``_decisions.decide_and_store``, as ``underwrite_application`` does with features from the
    records); the decision's ``application_id`` is the stored decision's id."""
    features = snapshot.numbers_of(merchant_id)
    requested = None if requested_amount is None else Money(requested_amount, policy.currency)
    application = Application(
        CreditRequest(f"dec_{uuid.uuid4().hex}", merchant_id, requested),
        snapshot.as_of,
        features,
        snapshot.ratings[merchant_id],
        from_records=False,
    )
    return decide_and_store(engine, application, policy, model_version=model_version)


@dataclass(frozen=True)
class Replay:
    """A stored decision beside the one its stored inputs give now."""

    stored: dict[str, Any]
    replayed: dict[str, Any]

    @property
    def same(self) -> bool:
        return _canonical(self.stored) == _canonical(self.replayed)


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, default=str)


def replay_decision(
    engine: Engine, decision_id: str, model: PDModel, policy: Policy, *, model_version: str
) -> Replay:
    """Rate and decide decision ``decision_id`` again from its stored inputs with ``model``
    (as ``model_version``) and ``policy``: a changed model or policy shows as a difference."""
    with Session(engine) as session:
        record = LoanBookQueries(session).decision(decision_id)
    recomputed = replay(record, model, policy, model_version=model_version)
    return Replay(stored=dict(record.result), replayed=recomputed.to_dict())


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
    offers = record.result.get("offers", [])
    if not 1 <= offer_number <= len(offers):
        raise NotFoundError(f"decision {decision_id} has no offer {offer_number}")
    chosen = offers[offer_number - 1]
    offer = Offer(
        amount=Decimal(chosen["amount"]),
        currency=record.result["currency"],
        product=chosen["product"],
        terms_json=json.dumps(chosen["terms"], sort_keys=True, separators=(",", ":")),
    )
    return accept_offer(
        engine,
        merchant_id=record.merchant_id,
        offer=offer,
        business_date=business_date,
        idempotency_key=idempotency_key,
        decision_id=decision_id,
        scope=scope,
    )


@dataclass(frozen=True)
class LoanView:
    """A loan with its schedule, its transactions and its state as of ``state.as_of``."""

    loan: LoanRecord
    schedule: tuple[Instalment, ...]
    transactions: tuple[Transaction, ...]
    state: LoanState


def loan_view(engine: Engine, loan_id: str, as_of: date) -> LoanView:
    """Loan ``loan_id`` as of ``as_of``: the payoff quote is ``state.payoff``."""
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        loan = queries.loan(loan_id)
        transactions = queries.loan_transactions(loan_id)
    plan = (
        schedule(loan.terms, loan.principal_money, loan.disbursed_on)
        if loan.disbursed_on is not None
        else ()
    )
    return LoanView(loan, plan, transactions, state_of(loan, transactions, as_of))


def decision_merchant(engine: Engine, decision_id: str) -> str:
    """The merchant a stored decision is about."""
    with Session(engine) as session:
        return LoanBookQueries(session).decision(decision_id).merchant_id


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
