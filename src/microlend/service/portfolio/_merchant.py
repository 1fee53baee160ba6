"""The merchant's own view of its latest decision: score, sub-scores, reasons, what would raise
it, and each offer with its total cost and effective APR.

Read from the stored decision (its ``Rating`` and its ``Decision``), so the merchant sees exactly
what was decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import NotFoundError
from microlend.policy import Offer
from microlend.store import PortfolioQueries

__all__ = ["MerchantOffer", "MerchantView", "merchant_view"]


@dataclass(frozen=True)
class MerchantOffer:
    """``total_cost`` is interest plus fees; ``apr`` the effective annual rate (a fraction)."""

    product: str
    amount: Decimal
    currency: str
    total_cost: Decimal
    total_repayable: Decimal
    apr: float
    expected_days: int


@dataclass(frozen=True)
class MerchantView:
    merchant_id: str
    as_of: date
    score: int
    band: str
    pd: float
    sub_scores: Mapping[str, int]
    reasons: tuple[str, ...]
    improvements: tuple[tuple[str, int], ...]
    offers: tuple[MerchantOffer, ...]
    decline_reasons: tuple[str, ...]


def _offer(offer: Offer) -> MerchantOffer:
    return MerchantOffer(
        product=offer.product.value,
        amount=offer.amount.amount,
        currency=offer.amount.currency,
        total_cost=offer.total_cost,
        total_repayable=offer.total_repayable,
        apr=offer.apr,
        expected_days=offer.expected_days,
    )


def merchant_view(engine: Engine, merchant_id: str) -> MerchantView:
    """The merchant's latest decision, as the merchant should read it."""
    with Session(engine) as session:
        record = PortfolioQueries(session).latest_decision(merchant_id)
    if record is None:
        raise NotFoundError(f"no decision for merchant {merchant_id!r} in the book")
    rating, decision = record.rating, record.decision
    offers = tuple(_offer(offer) for offer in decision.offers)
    return MerchantView(
        merchant_id=merchant_id,
        as_of=record.as_of,
        score=rating.score,
        band=rating.band,
        pd=rating.pd,
        sub_scores={str(d): s for d, s in rating.sub_scores.items()},
        reasons=tuple(r.text for r in rating.reasons),
        improvements=tuple((i.text, i.score) for i in rating.improvements),
        offers=offers,
        decline_reasons=() if offers else tuple(r.text for r in decision.reasons),
    )
