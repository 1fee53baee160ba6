"""The feature catalog: every feature's name, meaning, unit, risk direction, dimension and wording.

The catalog is data. Models read ``direction`` for monotone constraints, scoring reads
``dimension`` for sub-scores, ``reason`` for adverse-action wording and ``actionable`` for what a
merchant could change. ``direction`` is the sign of the feature's effect on risk: ``+1`` when a
higher value means more risk, ``-1`` when it means less, ``0`` when it is not known in advance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = ["CATALOG", "Dimension", "FeatureSpec", "feature_names", "spec"]


class Dimension(StrEnum):
    """The five published dimensions of a merchant's rating (each gets a sub-score)."""

    SCALE_GROWTH = "scale_growth"
    STABILITY = "stability"
    SATISFACTION = "satisfaction"
    FULFILMENT = "fulfilment"
    HISTORY = "history"


Direction = Literal[-1, 0, 1]


@dataclass(frozen=True)
class FeatureSpec:
    """One feature; ``reason`` completes "Your score is held back because ..." when it is one.

    ``actionable`` marks what a merchant can change by how it runs its shop (refunds, ratings,
    deliveries, active days); sales levels, growth, peers' percentiles and history are outcomes
    or facts, never advice.
    """

    name: str
    meaning: str
    unit: str
    direction: Direction
    dimension: Dimension
    reason: str
    actionable: bool = False
    #: Short noun phrase naming what an actionable feature measures, for "what would raise it".
    label: str = ""


_S = Dimension.SCALE_GROWTH
_T = Dimension.STABILITY
_C = Dimension.SATISFACTION
_F = Dimension.FULFILMENT
_H = Dimension.HISTORY

# Windows are trailing and half-open: "over the last 90 days" of as-of date D is [D - 90, D).
# Money features are in the orders' currency (one currency per platform), as floats.
CATALOG: tuple[FeatureSpec, ...] = (
    # --- scale and growth ------------------------------------------------------------------
    FeatureSpec(
        "gmv_30d",
        "sales (GMV, not cancelled) over the last 30 days",
        "currency",
        -1,
        _S,
        "your sales over the last 30 days are low",
    ),
    FeatureSpec(
        "gmv_90d",
        "sales over the last 90 days",
        "currency",
        -1,
        _S,
        "your sales over the last 90 days are low",
    ),
    FeatureSpec(
        "gmv_180d",
        "sales over the last 180 days",
        "currency",
        -1,
        _S,
        "your sales over the last 180 days are low",
    ),
    FeatureSpec(
        "gmv_365d",
        "sales over the last 365 days",
        "currency",
        -1,
        _S,
        "your sales over the last year are low",
    ),
    FeatureSpec(
        "orders_30d",
        "orders (not cancelled) over the last 30 days",
        "orders",
        -1,
        _S,
        "you received few orders over the last 30 days",
    ),
    FeatureSpec(
        "orders_90d",
        "orders over the last 90 days",
        "orders",
        -1,
        _S,
        "you received few orders over the last 90 days",
    ),
    FeatureSpec(
        "orders_365d",
        "orders over the last 365 days",
        "orders",
        -1,
        _S,
        "you received few orders over the last year",
    ),
    FeatureSpec(
        "aov_90d",
        "average order value over the last 90 days",
        "currency",
        0,
        _S,
        "your average order value over the last 90 days is unusual",
    ),
    FeatureSpec(
        "aov_365d",
        "average order value over the last 365 days",
        "currency",
        0,
        _S,
        "your average order value over the last year is unusual",
    ),
    FeatureSpec(
        "buyers_90d",
        "distinct buyers over the last 90 days",
        "buyers",
        -1,
        _S,
        "few distinct buyers bought from you over the last 90 days",
    ),
    FeatureSpec(
        "gmv_growth_90d",
        "sales of the last 90 days over the 90 days before, minus 1",
        "ratio",
        -1,
        _S,
        "your sales fell over the last 90 days",
    ),
    FeatureSpec(
        "gmv_growth_yoy_90d",
        "sales of the last 90 days over the same 90 days a year earlier, minus 1",
        "ratio",
        -1,
        _S,
        "your sales are lower than in the same season last year",
    ),
    FeatureSpec(
        "orders_growth_90d",
        "orders of the last 90 days over the 90 days before, minus 1",
        "ratio",
        -1,
        _S,
        "your number of orders fell over the last 90 days",
    ),
    FeatureSpec(
        "sales_vs_last_year_30d",
        "sales of the last 30 days over the same 30 days a year earlier, minus 1",
        "ratio",
        -1,
        _S,
        "your sales this month are below the same month last year",
    ),
    FeatureSpec(
        "sales_vs_category_season_30d",
        "share of the year's sales made in the last 30 days, relative to the category's "
        "same share, minus 1 (sales adjusted for the category's seasonal curve)",
        "ratio",
        -1,
        _S,
        "your recent sales lag the usual season of your category",
    ),
    FeatureSpec(
        "peer_growth_pct",
        "percentile of gmv_growth_90d among sellers of the same category and size band",
        "percentile",
        -1,
        _S,
        "your sales grow less than those of similar sellers",
    ),
    # --- stability -------------------------------------------------------------------------
    FeatureSpec(
        "weekly_sales_cv_90d",
        "coefficient of variation of weekly sales over the last 13 weeks",
        "ratio",
        1,
        _T,
        "your weekly sales have been irregular",
    ),
    FeatureSpec(
        "sales_trend_90d",
        "slope of weekly sales over the last 13 weeks, per week, relative to the mean",
        "ratio per week",
        -1,
        _T,
        "your weekly sales have been trending down",
    ),
    FeatureSpec(
        "active_days_share_90d",
        "share of days with at least one sale over the last 90 days (since joining, if later)",
        "share",
        -1,
        _T,
        "you made sales on few days over the last 90 days",
        actionable=True,
        label="your share of days with a sale (last 90 days)",
    ),
    FeatureSpec(
        "days_since_last_sale",
        "days since the last sale",
        "days",
        1,
        _T,
        "you have not made a sale recently",
    ),
    FeatureSpec(
        "top_buyers_share_365d",
        "share of the last 365 days' sales made with the 5 largest buyers",
        "share",
        1,
        _T,
        "a few buyers make most of your sales",
    ),
    FeatureSpec(
        "buyer_hhi_365d",
        "Herfindahl-Hirschman index of buyers' shares of the last 365 days' sales",
        "index 0-1",
        1,
        _T,
        "your sales depend on few buyers",
    ),
    FeatureSpec(
        "repeat_buyer_share_365d",
        "share of the last 365 days' buyers who ordered more than once",
        "share",
        -1,
        _T,
        "few of your buyers come back",
        actionable=True,
        label="your share of buyers who come back (last 365 days)",
    ),
    FeatureSpec(
        "settlement_weeks_share_90d",
        "share of the last 13 weeks with at least one payout",
        "share",
        -1,
        _T,
        "your payouts have been irregular",
    ),
    FeatureSpec(
        "settlement_net_cv_90d",
        "coefficient of variation of weekly net payouts over the last 13 weeks",
        "ratio",
        1,
        _T,
        "your payouts vary a lot from week to week",
    ),
    FeatureSpec(
        "peer_volatility_pct",
        "percentile of weekly_sales_cv_90d among sellers of the same category and size band",
        "percentile",
        1,
        _T,
        "your sales are less regular than those of similar sellers",
    ),
    # --- satisfaction ----------------------------------------------------------------------
    FeatureSpec(
        "refund_rate_90d",
        "refunds per order over the last 90 days",
        "ratio",
        1,
        _C,
        "your refund rate over the last 90 days is high",
        actionable=True,
        label="your refund rate (refunds per order, last 90 days)",
    ),
    FeatureSpec(
        "refund_rate_365d",
        "refunds per order over the last 365 days",
        "ratio",
        1,
        _C,
        "your refund rate over the last year is high",
    ),
    FeatureSpec(
        "refunded_gmv_share_90d",
        "amount refunded over sales, last 90 days",
        "share",
        1,
        _C,
        "a large share of your sales over the last 90 days was refunded",
        actionable=True,
        label="the share of your sales refunded (last 90 days)",
    ),
    FeatureSpec(
        "rating_mean_180d",
        "mean star rating over the last 180 days",
        "stars",
        -1,
        _C,
        "your customer rating over the last 180 days is low",
        actionable=True,
        label="your average rating (last 180 days)",
    ),
    FeatureSpec(
        "rating_trend_90d",
        "mean rating of the last 90 days minus that of the 90 days before",
        "stars",
        -1,
        _C,
        "your customer rating has been falling",
    ),
    FeatureSpec(
        "low_rating_share_180d",
        "share of 1- and 2-star reviews over the last 180 days",
        "share",
        1,
        _C,
        "many of your recent reviews give 1 or 2 stars",
        actionable=True,
        label="your share of 1- and 2-star reviews (last 180 days)",
    ),
    FeatureSpec(
        "review_count_180d",
        "reviews received over the last 180 days",
        "reviews",
        -1,
        _C,
        "few buyers reviewed you over the last 180 days",
    ),
    FeatureSpec(
        "peer_refund_rate_pct",
        "percentile of refund_rate_90d among sellers of the same category and size band",
        "percentile",
        1,
        _C,
        "your refund rate is higher than that of similar sellers",
    ),
    FeatureSpec(
        "peer_rating_pct",
        "percentile of rating_mean_180d among sellers of the same category and size band",
        "percentile",
        -1,
        _C,
        "your rating is lower than that of similar sellers",
    ),
    # --- fulfilment ------------------------------------------------------------------------
    FeatureSpec(
        "late_shipment_rate_90d",
        "share of deliveries promised over the last 90 days that were late (or still "
        "missing at the as-of date)",
        "share",
        1,
        _F,
        "many of your deliveries over the last 90 days were late",
        actionable=True,
        label="your late-delivery rate (last 90 days)",
    ),
    FeatureSpec(
        "late_shipment_rate_365d",
        "share of deliveries promised over the last 365 days that were late",
        "share",
        1,
        _F,
        "many of your deliveries this year were late",
    ),
    FeatureSpec(
        "unshipped_share_90d",
        "share of deliveries promised over the last 90 days not shipped by the as-of date",
        "share",
        1,
        _F,
        "some orders you promised were never shipped",
        actionable=True,
        label="your share of promised orders never shipped (last 90 days)",
    ),
    FeatureSpec(
        "delivery_days_90d",
        "mean days from shipping to delivery, deliveries of the last 90 days",
        "days",
        1,
        _F,
        "your deliveries take long to arrive",
        actionable=True,
        label="your average delivery time (last 90 days)",
    ),
    FeatureSpec(
        "cancel_rate_90d",
        "share of the last 90 days' orders that were cancelled",
        "share",
        1,
        _F,
        "many of your orders over the last 90 days were cancelled",
        actionable=True,
        label="your cancellation rate (last 90 days)",
    ),
    # --- history ---------------------------------------------------------------------------
    FeatureSpec(
        "tenure_days",
        "days since the seller joined the platform",
        "days",
        -1,
        _H,
        "you joined the platform recently",
    ),
    FeatureSpec(
        "days_since_first_sale",
        "days since the seller's first sale",
        "days",
        -1,
        _H,
        "your sales history is short",
    ),
    FeatureSpec(
        "prior_loans",
        "loans disbursed to the seller before the as-of date",
        "loans",
        -1,
        _H,
        "you have little borrowing history with us",
    ),
    FeatureSpec(
        "prior_defaults",
        "prior loans that defaulted before the as-of date",
        "loans",
        1,
        _H,
        "a previous loan defaulted",
    ),
    FeatureSpec(
        "prior_default_share",
        "prior defaults over prior loans",
        "share",
        1,
        _H,
        "a large share of your previous loans defaulted",
    ),
    FeatureSpec(
        "prior_principal",
        "principal of all prior loans",
        "currency",
        0,
        _H,
        "your previous borrowing was unusual",
    ),
    FeatureSpec(
        "days_since_last_loan",
        "days since the last prior loan was disbursed",
        "days",
        0,
        _H,
        "your last loan was recent",
    ),
)


def feature_names() -> tuple[str, ...]:
    """Names of every catalogued feature, in catalog order (the model's column order)."""
    return tuple(f.name for f in CATALOG)


def spec(name: str) -> FeatureSpec:
    """The catalog entry of ``name``; ``KeyError`` if it is not catalogued."""
    for feature in CATALOG:
        if feature.name == name:
            return feature
    raise KeyError(f"no feature named {name!r} in the catalog")
