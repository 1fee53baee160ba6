"""Features as formulas over the raw window aggregates (the ``r_`` columns of ``_windows``).

Each feature names the aggregate groups it needs, so a build of a few features computes only
those groups. A ratio with a zero or missing denominator is undefined (NULL, NaN in the
output), never zero: "no orders" must not read as "no refunds".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import ibis
import ibis.expr.types as ir

__all__ = ["AGE_COLUMNS", "FORMULAS", "WEEKS", "Formula"]

WEEKS = 13
# Week index x runs 0..12; sum((x - 6)^2) over the 13 weeks is the slope's denominator.
_X_MEAN = (WEEKS - 1) / 2
_X_SPREAD = sum((x - _X_MEAN) ** 2 for x in range(WEEKS))
# Raw columns that are ages of an event: missing means "never happened", not zero.
AGE_COLUMNS = frozenset({"r_first_sale_age", "r_last_sale_age", "r_last_loan_age"})

# Ibis exposes columns as attributes only at run time, so formulas see the table untyped.
Row: TypeAlias = Any
Expr = Callable[[Row], ir.Value]


@dataclass(frozen=True)
class Formula:
    groups: tuple[str, ...]
    expr: Expr


def _ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.NumericValue:
    return ibis.ifelse(den > 0, num.cast("float64") / den, ibis.null("float64"))


def _growth(num: ir.NumericValue, den: ir.NumericValue) -> ir.NumericValue:
    return _ratio(num, den) - 1


def _cv(total: ir.NumericValue, squares: ir.NumericValue) -> ir.NumericValue:
    """Coefficient of variation over 13 weeks from the sum and the sum of squares."""
    mean = total / WEEKS
    variance = ibis.greatest(squares / WEEKS - mean * mean, 0)
    return _ratio(variance.sqrt(), mean)


def _trend(w: Row) -> ir.NumericValue:
    slope = (w.r_week_x_sum - _X_MEAN * w.r_week_sum) / _X_SPREAD
    return _ratio(slope, w.r_week_sum / WEEKS)


def _tenure(w: Row) -> ir.NumericValue:
    days = w.asof_day - w.onboard_day
    return ibis.ifelse(days >= 0, days, ibis.null("int64"))


def _active_share(w: Row) -> ir.NumericValue:
    days_open = ibis.least(ibis.greatest(_tenure(w), 1), 90)
    return _ratio(w.r_active_days_90, days_open)


def _season(w: Row) -> ir.NumericValue:
    own = _ratio(w.r_gmv_30, w.r_gmv_365)
    category = _ratio(w.r_category_gmv_30, w.r_category_gmv_365)
    return _growth(own, category)


def _f(groups: str, expr: Expr) -> Formula:
    return Formula(tuple(groups.split()), expr)


def _col(name: str, groups: str) -> Formula:
    return Formula(tuple(groups.split()), lambda w: w[name])


FORMULAS: dict[str, Formula] = {
    "gmv_30d": _col("r_gmv_30", "sales"),
    "gmv_90d": _col("r_gmv_90", "sales"),
    "gmv_180d": _col("r_gmv_180", "sales"),
    "gmv_365d": _col("r_gmv_365", "sales"),
    "orders_30d": _col("r_orders_30", "sales"),
    "orders_90d": _col("r_orders_90", "sales"),
    "orders_365d": _col("r_orders_365", "sales"),
    "aov_90d": _f("sales", lambda w: _ratio(w.r_gmv_90, w.r_orders_90)),
    "aov_365d": _f("sales", lambda w: _ratio(w.r_gmv_365, w.r_orders_365)),
    "buyers_90d": _col("r_buyers_90", "buyers"),
    "settlement_net_90d": _col("r_payout_90", "payouts"),
    "gmv_growth_90d": _f("sales prior", lambda w: _growth(w.r_gmv_90, w.r_gmv_prior_90)),
    "gmv_growth_yoy_90d": _f("sales year_ago", lambda w: _growth(w.r_gmv_90, w.r_gmv_year_ago_90)),
    "orders_growth_90d": _f("sales prior", lambda w: _growth(w.r_orders_90, w.r_orders_prior_90)),
    "sales_vs_last_year_30d": _f(
        "sales year_ago", lambda w: _growth(w.r_gmv_30, w.r_gmv_year_ago_30)
    ),
    "sales_vs_category_season_30d": _f("sales season", _season),
    "peer_growth_pct": _col("peer_growth_pct", "peers"),
    "weekly_sales_cv_90d": _f("weekly", lambda w: _cv(w.r_week_sum, w.r_week_sq_sum)),
    "sales_trend_90d": _f("weekly", _trend),
    "active_days_share_90d": _f("active", _active_share),
    "days_since_last_sale": _col("r_last_sale_age", "span"),
    "top_buyers_share_365d": _f("buyers", lambda w: _ratio(w.r_top5_spend, w.r_buyer_spend)),
    "buyer_hhi_365d": _f(
        "buyers", lambda w: _ratio(w.r_buyer_spend_sq, w.r_buyer_spend * w.r_buyer_spend)
    ),
    "repeat_buyer_share_365d": _f("buyers", lambda w: _ratio(w.r_repeat_buyers, w.r_buyers)),
    "settlement_weeks_share_90d": _f("payouts", lambda w: w.r_payout_weeks / WEEKS),
    "settlement_net_cv_90d": _f("payouts", lambda w: _cv(w.r_payout_sum, w.r_payout_sq_sum)),
    "peer_volatility_pct": _col("peer_volatility_pct", "peers"),
    "refund_rate_90d": _f("refunds sales", lambda w: _ratio(w.r_refunds_90, w.r_orders_90)),
    "refund_rate_365d": _f("refunds sales", lambda w: _ratio(w.r_refunds_365, w.r_orders_365)),
    "refunded_gmv_share_90d": _f("refunds sales", lambda w: _ratio(w.r_refunded_90, w.r_gmv_90)),
    "rating_mean_180d": _f("reviews", lambda w: _ratio(w.r_stars_180, w.r_reviews_180)),
    "rating_trend_90d": _f(
        "reviews",
        lambda w: (
            _ratio(w.r_stars_90, w.r_reviews_90) - _ratio(w.r_stars_prior_90, w.r_reviews_prior_90)
        ),
    ),
    "low_rating_share_180d": _f("reviews", lambda w: _ratio(w.r_low_180, w.r_reviews_180)),
    "review_count_180d": _col("r_reviews_180", "reviews"),
    "peer_refund_rate_pct": _col("peer_refund_rate_pct", "peers"),
    "peer_rating_pct": _col("peer_rating_pct", "peers"),
    "late_shipment_rate_90d": _f("shipments", lambda w: _ratio(w.r_late_90, w.r_promised_90)),
    "late_shipment_rate_365d": _f("shipments", lambda w: _ratio(w.r_late_365, w.r_promised_365)),
    "unshipped_share_90d": _f("shipments", lambda w: _ratio(w.r_unshipped_90, w.r_promised_90)),
    "delivery_days_90d": _f("delivery", lambda w: _ratio(w.r_transit_90, w.r_delivered_90)),
    "cancel_rate_90d": _f(
        "sales cancel", lambda w: _ratio(w.r_cancelled_90, w.r_orders_90 + w.r_cancelled_90)
    ),
    "tenure_days": _f("", _tenure),
    "days_since_first_sale": _col("r_first_sale_age", "span"),
    "prior_loans": _col("r_loans", "loans"),
    "prior_defaults": _col("r_defaults", "loans"),
    "prior_default_share": _f("loans", lambda w: _ratio(w.r_defaults, w.r_loans)),
    "prior_principal": _col("r_principal", "loans"),
    "days_since_last_loan": _col("r_last_loan_age", "loans"),
}
