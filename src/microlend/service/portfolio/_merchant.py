"""The merchant's own view of its latest decision: score, sub-scores, reasons, what would raise
it, and each offer with its total cost and effective APR.

Read from the stored decision (its ``score`` document is ``Rating.to_dict``, its ``result``
``Decision.to_dict``), so the merchant sees exactly what was decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import NotFoundError
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


def _offer(body: Mapping[str, Any], currency: str) -> MerchantOffer:
    return MerchantOffer(
        product=str(body["product"]),
        amount=Decimal(body["amount"]),
        currency=currency,
        total_cost=Decimal(body["total_cost"]),
        total_repayable=Decimal(body["total_repayable"]),
        apr=float(body["apr"]),
        expected_days=int(body["expected_days"]),
    )


def merchant_view(engine: Engine, merchant_id: str) -> MerchantView:
    """The merchant's latest decision, as the merchant should read it."""
    with Session(engine) as session:
        decision = PortfolioQueries(session).latest_decision(merchant_id)
    if decision is None:
        raise NotFoundError(f"no decision for merchant {merchant_id!r} in the book")
    rating, result = decision.score, decision.result
    currency = str(result.get("currency", ""))
    offers = tuple(_offer(body, currency) for body in result.get("offers", []))
    return MerchantView(
        merchant_id=merchant_id,
        as_of=decision.as_of,
        score=int(rating["score"]),
        band=str(rating["band"]),
        pd=float(rating["pd"]),
        sub_scores={str(k): int(v) for k, v in rating.get("sub_scores", {}).items()},
        reasons=tuple(str(r["text"]) for r in rating.get("reasons", [])),
        improvements=tuple(
            (str(i["text"]), int(i["score"])) for i in rating.get("improvements", [])
        ),
        offers=offers,
        decline_reasons=() if offers else tuple(str(r["text"]) for r in result.get("reasons", [])),
    )
