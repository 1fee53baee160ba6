"""The merchant's own page, as data: its latest decision (score, sub-scores explained, reasons,
what would raise it, offers or why none), its score and sales at each decision, and its loans.

Read from the stored decisions (their ``Rating`` and ``Decision``), so the merchant sees exactly
what was decided, and from the loan book through ``lending``'s one loan read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import NotFoundError
from microlend.features import Dimension
from microlend.ledger import FixedInstalmentTerms
from microlend.money import Money
from microlend.policy import Disclosure, Offer
from microlend.service.portfolio._merchant_loans import MerchantLoan, merchant_loans
from microlend.store import DecisionRecord, LoanBookQueries, LoanRecord, PortfolioQueries

__all__ = [
    "DIMENSIONS",
    "HistoryPoint",
    "MerchantOffer",
    "MerchantView",
    "SubScore",
    "Suggestion",
    "merchant_view",
]

#: Each dimension of the rating in plain words: its title and what its features measure.
DIMENSIONS: Mapping[Dimension, tuple[str, str]] = {
    Dimension.SCALE_GROWTH: (
        "Scale and growth",
        "how much you sell, to how many buyers, and whether your sales and orders grow against "
        "the months before, the same season last year and similar sellers",
    ),
    Dimension.STABILITY: (
        "Stability",
        "how steady your sales and payouts are from week to week, how many days you sell, and "
        "whether your sales rest on a few buyers or on many who come back",
    ),
    Dimension.SATISFACTION: (
        "Customer satisfaction",
        "your buyers' star ratings and reviews, and how much of what you sell is refunded",
    ),
    Dimension.FULFILMENT: (
        "Fulfilment",
        "whether you ship on time, how long deliveries take, and how many orders are cancelled",
    ),
    Dimension.HISTORY: (
        "History",
        "how long you have sold on the platform, and how earlier loans were repaid",
    ),
}

#: The feature drawn as the merchant's sales over time (the catalog's 30-day sales).
SALES_FEATURE = "gmv_30d"


@dataclass(frozen=True)
class SubScore:
    """A dimension's sub-score: the score the merchant would have if every side of its business
    looked like this one (``scoring._subscores``), with what the dimension measures."""

    dimension: str
    title: str
    meaning: str
    score: int


@dataclass(frozen=True)
class Suggestion:
    """What would raise the score, and the score and band it would give."""

    text: str
    score: int
    band: str


@dataclass(frozen=True)
class HistoryPoint:
    """One stored decision: its date, the score it gave and the sales of the 30 days before it
    (``None`` when they were not known)."""

    as_of: date
    score: int
    sales_30d: Decimal | None


@dataclass(frozen=True)
class MerchantOffer:
    """One offer, numbered from 1 as accepting it names it, with its ``disclosure`` (the
    policy's: what the merchant is told of it; ``None`` on decisions stored before offers had
    one). ``total_cost`` is interest plus fees; ``apr`` the effective annual rate (a fraction);
    ``payments`` and ``frequency`` (fixed instalments) or ``holdback`` (share of sales, a
    fraction of each settlement) are the terms, read as they are."""

    number: int
    product: str
    amount: Decimal
    currency: str
    total_cost: Decimal
    total_repayable: Decimal
    apr: float
    expected_days: int
    payments: int | None
    frequency: str | None
    holdback: Decimal | None
    disclosure: Disclosure | None


@dataclass(frozen=True)
class MerchantView:
    """The merchant's page. ``as_of`` is the date of the latest decision, ``today`` the
    business date the page was read on; ``offers_open`` whether its offers may be accepted
    today (none accepted yet, not expired), ``accepted_loan`` the loan one became; ``notice``
    whether it came with a notice (a decline, or offers below the amount asked for);
    ``searched`` whether what would raise the score was looked for (no ``suggestions`` then
    means none was found; without a search nothing may be said of it)."""

    merchant_id: str
    today: date
    as_of: date
    currency: str
    score: int
    band: str
    pd: float
    sub_scores: tuple[SubScore, ...]
    reasons: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]
    searched: bool
    decision_id: str
    offers: tuple[MerchantOffer, ...]
    expires_on: date | None
    offers_open: bool
    accepted_loan: str | None
    decline_reasons: tuple[str, ...]
    notice: bool
    history: tuple[HistoryPoint, ...]
    loans: tuple[MerchantLoan, ...]

    @property
    def approved(self) -> bool:
        return bool(self.offers)


def _offer(number: int, offer: Offer) -> MerchantOffer:
    terms = offer.terms
    fixed = terms if isinstance(terms, FixedInstalmentTerms) else None
    return MerchantOffer(
        number=number,
        product=offer.product.value,
        amount=offer.amount.amount,
        currency=offer.amount.currency,
        total_cost=offer.total_cost,
        total_repayable=offer.total_repayable,
        apr=offer.apr,
        expected_days=offer.expected_days,
        payments=None if fixed is None else fixed.count,
        frequency=None if fixed is None else fixed.frequency.value,
        holdback=None if isinstance(terms, FixedInstalmentTerms) else terms.holdback_rate,
        disclosure=offer.disclosure,
    )


def _sales(record: DecisionRecord) -> Decimal | None:
    value = record.feature_values.get(SALES_FEATURE)
    if value is None or math.isnan(value):
        return None
    return Money(Decimal(repr(value)), record.decision.currency).amount


def _history(records: list[DecisionRecord]) -> tuple[HistoryPoint, ...]:
    return tuple(HistoryPoint(r.as_of, r.rating.score, _sales(r)) for r in records)


def _sub_scores(record: DecisionRecord) -> tuple[SubScore, ...]:
    found = record.rating.sub_scores
    return tuple(SubScore(str(d), *DIMENSIONS[d], found[d]) for d in Dimension if d in found)


def _decisions(
    engine: Engine, merchant_id: str
) -> tuple[list[DecisionRecord], DecisionRecord, LoanRecord | None]:
    """The merchant's decisions oldest first, its latest (the one the book names as superseding
    the others, whose offers may stand) and the loan that one's offers gave, if any."""
    with Session(engine) as session:
        records = PortfolioQueries(session).merchant_decisions(merchant_id)
        queries = LoanBookQueries(session)
        named = queries.latest_decision(merchant_id)
        last = records[-1] if records else None
        latest = next((r for r in records if r.decision_id == named), last)
        if latest is None:
            raise NotFoundError(f"no decision for merchant {merchant_id!r} in the book")
        return records, latest, queries.loan_of_decision(latest.decision_id)


def merchant_view(engine: Engine, merchant_id: str, today: date) -> MerchantView:
    """The merchant's page as of business date ``today``: its latest decision (the one whose
    offers stand), its decisions over time and its loans."""
    records, latest, accepted = _decisions(engine, merchant_id)
    rating, decision = latest.rating, latest.decision
    offers = tuple(_offer(n, offer) for n, offer in enumerate(decision.offers, start=1))
    expires_on = decision.expires_on
    expired = expires_on is None or today > expires_on
    return MerchantView(
        merchant_id=merchant_id,
        today=today,
        as_of=latest.as_of,
        currency=decision.currency,
        score=rating.score,
        band=rating.band,
        pd=rating.pd,
        sub_scores=_sub_scores(latest),
        reasons=tuple(r.text for r in rating.reasons),
        suggestions=tuple(Suggestion(i.text, i.score, i.band) for i in rating.improvements),
        searched=rating.searched,
        decision_id=latest.decision_id,
        offers=offers,
        expires_on=expires_on,
        offers_open=bool(offers) and accepted is None and not expired,
        accepted_loan=None if accepted is None else accepted.loan_id,
        decline_reasons=() if offers else tuple(r.text for r in decision.reasons),
        notice=latest.notice is not None,
        history=_history(records),
        loans=merchant_loans(engine, merchant_id, today),
    )
