"""Hand-made stored decisions: typed records for tests that need a decision in the book without
rating anyone (a module with a unique name, importable from every test folder)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from microlend.features.catalog import Dimension
from microlend.ledger import Terms
from microlend.money import Money
from microlend.policy import (
    Decision,
    DecisionReason,
    Exposure,
    Limit,
    Offer,
    Quote,
    ReasonSource,
    SalesForecast,
)
from microlend.scoring import Rating
from microlend.store import DecisionInputs, DecisionRecord
from microlend.types import ApplicationId

_ZERO = Decimal(0)
_DECLINE = DecisionReason(ReasonSource.POLICY, "limit_too_small", "the limit is too small")


def offer_of(amount: str, terms: Terms, currency: str = "USD") -> Offer:
    """An offer of ``amount`` on ``terms``; its costs are placeholders no rule reads."""
    quote = Quote(_ZERO, _ZERO, _ZERO, _ZERO, _ZERO, within_cap=True)
    principal = Money(Decimal(amount), currency)
    return Offer(principal, terms, quote, _ZERO, _ZERO, principal.amount, 180, 0.0, ())


def made_decision(
    decision_id: str,
    merchant: str = "M1",
    *,
    as_of: date,
    offers: Sequence[Offer] = (),
    limit: str | None = None,
    exposure: str = "0.00",
    valid_days: int = 7,
    score: int = 700,
    features: Mapping[str, float | None] | None = None,
    application_id: str | None = None,
    model_version: str = "test",
) -> DecisionRecord:
    """A stored decision of ``merchant`` as of ``as_of``: with ``offers``, an approval granting
    ``limit`` on ``exposure`` owed whose offers stand ``valid_days``; without, a decline."""
    currency = offers[0].amount.currency if offers else "USD"
    granted = None
    if limit is not None:
        granted = Limit(Decimal(limit), Decimal(exposure), Decimal(limit), "sales", Decimal(limit))
    decision = Decision(
        application_id=application_id or decision_id,
        merchant_id=merchant,
        as_of=as_of,
        currency=currency,
        requested_amount=None,
        exposure=Exposure(Money(Decimal(exposure), currency)),
        pd=0.03,
        score=score,
        band="B",
        features=dict(features or {}),
        sales=SalesForecast(_ZERO, _ZERO, Decimal(1)),
        limit=granted,
        offers=tuple(offers),
        reasons=() if offers else (_DECLINE,),
        policy_version="test",
        policy_digest="0" * 64,
        model_version=model_version,
        expires_on=as_of + timedelta(days=valid_days) if offers else None,
    )
    rating = Rating(merchant, 0.03, score, "B", dict.fromkeys(Dimension, score), (), ())
    return DecisionRecord(
        decision_id=decision_id,
        application_id=None if application_id is None else ApplicationId(application_id),
        decision=decision,
        rating=rating,
        inputs=DecisionInputs.of(decision),
        feature_values=dict(features or {}),
    )
