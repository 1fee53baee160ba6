"""Features as formulas over the raw window aggregates (the ``r_`` columns of ``_windows``).

Each feature names the aggregate groups it needs, so a build of a few features computes only
those groups. A ratio with a zero or missing denominator is undefined (NULL, NaN in the
output), never zero: "no orders" must not read as "no refunds".

Windows know where a merchant's records start (``start_day``: its onboarding, or the records'
first day if it joined before them): a window of ``n`` days as of ``t`` sees the days of
``[max(t - n, start), t)``, which ``_seen`` counts. Nothing before the start is in the records,
so every sum is already cut there; what the cut changes is what a sum means. A window that saw
fewer days than its length is made comparable with a whole one: the long levels (180 and 365
days) are scaled to the window's length, comparisons of two windows (growth, year on year) are
of sales per day seen, the 13-week statistics run over the weeks seen, and ``history_days``
says how much was seen. A window that saw nothing is undefined, never zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import ibis
import ibis.expr.types as ir

from microlend.features._windows import YEAR

__all__ = ["AGE_COLUMNS", "FORMULAS", "HISTORY_CAP", "WEEKS", "Formula"]

WEEKS = 13
#: ``history_days`` counts the days on record up to the longest window's length.
HISTORY_CAP = 365
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


def _seen(w: Row, days: int, after: int = 0) -> ir.IntegerValue:
    """Days on record of the window of ages ``(after, after + days]`` (the last ``days`` days
    when ``after`` is 0): those on or after the merchant's ``start_day``."""
    on_record = w.asof_day - w.start_day - after
    return ibis.least(ibis.greatest(on_record, 0), days)


def _scaled(total: ir.NumericValue, w: Row, days: int) -> ir.NumericValue:
    """A sum over the last ``days`` days, scaled to ``days`` from the days on record: the sum
    itself, exactly, when the whole window is on record; undefined when none of it is."""
    seen = _seen(w, days)
    return ibis.ifelse(seen == days, total.cast("float64"), _ratio(total * days, seen))


def _rate_growth(
    num: ir.NumericValue, num_days: ir.IntegerValue, den: ir.NumericValue, den_days: ir.IntegerValue
) -> ir.NumericValue:
    """Growth of the sum per day on record: ``(num / num_days) / (den / den_days) - 1``."""
    return _growth(num * den_days, den * num_days)


def _weeks(w: Row) -> ir.IntegerValue:
    """Weeks of the last 13 with a day on record (the 13 weeks are the last 91 days)."""
    return (_seen(w, 7 * WEEKS) + 6) // 7


def _cv(
    total: ir.NumericValue, squares: ir.NumericValue, weeks: ir.IntegerValue
) -> ir.NumericValue:
    """Coefficient of variation over the weeks on record from the sum and the sum of squares
    (a week with nothing is a zero: its absent rows add nothing to the sums)."""
    mean = _ratio(total, weeks)
    variance = ibis.greatest(_ratio(squares, weeks) - mean * mean, 0)
    return _ratio(variance.sqrt(), mean)


def _trend(w: Row) -> ir.NumericValue:
    """Least-squares slope of weekly sales over the weeks on record, relative to their mean.

    Week index x runs 0..12 (12 the week before as-of); the last ``k`` weeks have mean index
    ``12 - (k - 1) / 2`` and ``sum((x - mean)^2) = k (k^2 - 1) / 12`` (182 over 13 weeks).
    """
    k = _weeks(w)
    x_mean = (WEEKS - 1) - (k - 1) / 2
    slope = _ratio(w.r_week_x_sum - x_mean * w.r_week_sum, k * (k * k - 1) / 12)
    return _ratio(slope, _ratio(w.r_week_sum, k))


def _tenure(w: Row) -> ir.NumericValue:
    days = w.asof_day - w.onboard_day
    return ibis.ifelse(days >= 0, days, ibis.null("int64"))


def _season(w: Row) -> ir.NumericValue:
    """The merchant's sales per day of the last 30 over those of the last 365 (days on record),
    against its category's same ratio over the records' days: sales adjusted for the season."""
    own = _ratio(w.r_gmv_30 * _seen(w, HISTORY_CAP), w.r_gmv_365 * _seen(w, 30))
    records = ibis.least(ibis.greatest(w.asof_day - w.records_day, 0), HISTORY_CAP)
    recent = ibis.least(records, 30)
    category = _ratio(w.r_category_gmv_30 * records, w.r_category_gmv_365 * recent)
    return _growth(own, category)


def _first_sale(w: Row) -> ir.NumericValue:
    """Days since the first sale, known only for a seller that joined within the records: one
    that joined before them may have sold before them too, and the age of its first sale on
    record would be the records' age, which grows with the calendar for every such seller."""
    return ibis.ifelse(w.onboard_day >= w.records_day, w.r_first_sale_age, ibis.null("int64"))


def _growth_90d(w: Row, now: str, before: str) -> ir.NumericValue:
    """The last 90 days against the 90 before, per day on record of each."""
    return _rate_growth(w[now], _seen(w, 90), w[before], _seen(w, 90, after=90))


def _year_on_year(w: Row, days: int) -> ir.NumericValue:
    """Sales of the last ``days`` days against the same days a year earlier, per day on record
    (undefined when the records do not reach back to any of those days)."""
    return _rate_growth(
        w[f"r_gmv_{days}"], _seen(w, days), w[f"r_gmv_year_ago_{days}"], _seen(w, days, YEAR)
    )


def _f(groups: str, expr: Expr) -> Formula:
    return Formula(tuple(groups.split()), expr)


def _col(name: str, groups: str) -> Formula:
    return Formula(tuple(groups.split()), lambda w: w[name])


FORMULAS: dict[str, Formula] = {
    "gmv_30d": _col("r_gmv_30", "sales"),
    "gmv_90d": _col("r_gmv_90", "sales"),
    "gmv_180d": _f("sales", lambda w: _scaled(w.r_gmv_180, w, 180)),
    "gmv_365d": _f("sales", lambda w: _scaled(w.r_gmv_365, w, YEAR)),
    "orders_30d": _col("r_orders_30", "sales"),
    "orders_90d": _col("r_orders_90", "sales"),
    "orders_365d": _f("sales", lambda w: _scaled(w.r_orders_365, w, YEAR)),
    "aov_90d": _f("sales", lambda w: _ratio(w.r_gmv_90, w.r_orders_90)),
    "aov_365d": _f("sales", lambda w: _ratio(w.r_gmv_365, w.r_orders_365)),
    "buyers_90d": _col("r_buyers_90", "buyers"),
    "settlement_net_90d": _col("r_payout_90", "payouts"),
    "gmv_growth_90d": _f("sales prior", lambda w: _growth_90d(w, "r_gmv_90", "r_gmv_prior_90")),
    "gmv_growth_yoy_90d": _f("sales year_ago", lambda w: _year_on_year(w, 90)),
    "orders_growth_90d": _f(
        "sales prior", lambda w: _growth_90d(w, "r_orders_90", "r_orders_prior_90")
    ),
    "sales_vs_last_year_30d": _f("sales year_ago", lambda w: _year_on_year(w, 30)),
    "sales_vs_category_season_30d": _f("sales season", _season),
    "peer_growth_pct": _col("peer_growth_pct", "peers"),
    "weekly_sales_cv_90d": _f("weekly", lambda w: _cv(w.r_week_sum, w.r_week_sq_sum, _weeks(w))),
    "sales_trend_90d": _f("weekly", _trend),
    "active_days_share_90d": _f("active", lambda w: _ratio(w.r_active_days_90, _seen(w, 90))),
    "days_since_last_sale": _col("r_last_sale_age", "span"),
    "top_buyers_share_90d": _f("buyers", lambda w: _ratio(w.r_top5_spend_90, w.r_buyer_spend_90)),
    "buyer_hhi_90d": _f(
        "buyers", lambda w: _ratio(w.r_buyer_spend_sq_90, w.r_buyer_spend_90 * w.r_buyer_spend_90)
    ),
    "repeat_buyer_share_90d": _f("buyers", lambda w: _ratio(w.r_repeat_buyers_90, w.r_buyers_90)),
    "returning_order_share_90d": _f(
        "buyers", lambda w: _ratio(w.r_returning_orders_90, w.r_buyer_orders_90)
    ),
    "settlement_weeks_share_90d": _f("payouts", lambda w: _ratio(w.r_payout_weeks, _weeks(w))),
    "settlement_net_cv_90d": _f(
        "payouts", lambda w: _cv(w.r_payout_sum, w.r_payout_sq_sum, _weeks(w))
    ),
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
    "review_count_180d": _f("reviews", lambda w: _scaled(w.r_reviews_180, w, 180)),
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
    "history_days": _f("", lambda w: _seen(w, HISTORY_CAP)),
    "days_since_first_sale": _f("span", _first_sale),
    "prior_loans": _col("r_loans", "loans"),
    "prior_defaults": _col("r_defaults", "loans"),
    "prior_default_share": _f("loans", lambda w: _ratio(w.r_defaults, w.r_loans)),
    "prior_principal": _col("r_principal", "loans"),
    "days_since_last_loan": _col("r_last_loan_age", "loans"),
}
