"""Refunds, reviews, deliveries, payouts, prior loans and the category's seasonal curve.

Same method as ``_windows``: each source reduced per merchant and day (``data.AGGREGATES``),
join every spine row to its merchant's days strictly before as-of, aggregate with conditional
(``FILTER``) aggregates.
Sums are exact until complete (decimal money, integer counts and seconds), as in ``_windows``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from microlend.data import event_day
from microlend.features._sources import Sources
from microlend.features._windows import YEAR, exact_square, history_joined, total

__all__ = [
    "category_season",
    "delivery_times",
    "prior_loans",
    "refund_windows",
    "review_windows",
    "settlement_weeks",
    "shipment_windows",
]


def _sum(column: ir.NumericColumn, where: ir.BooleanValue) -> ir.NumericValue:
    return column.sum(where=where).fill_null(0)


def refund_windows(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """Refund events and refunded amount over the last 90 and 365 days (by refund date)."""
    j = history_joined(spine, daily, YEAR)
    return j.group_by("_row").aggregate(
        r_refunds_90=_sum(j.n, j.age <= 90),
        r_refunds_365=_sum(j.n, j.age <= YEAR),
        r_refunded_90=total(_sum(j.amount, j.age <= 90)),
    )


def review_windows(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """Count, star sum and 1-2 star count of reviews, last 90 / prior 90 / last 180 days."""
    j = history_joined(spine, daily, 180)
    recent, prior = j.age <= 90, j.age > 90
    return j.group_by("_row").aggregate(
        r_reviews_180=j.n.sum(),
        r_stars_180=j.stars.sum(),
        r_low_180=j.low.sum(),
        r_reviews_90=_sum(j.n, recent),
        r_stars_90=_sum(j.stars, recent),
        r_reviews_prior_90=_sum(j.n, prior),
        r_stars_prior_90=_sum(j.stars, prior),
    )


def shipment_windows(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """Deliveries promised over the last 90 / 365 days: how many, late, not shipped by as-of.

    A delivery promised before as-of is late when it arrived after the promise or had not
    arrived: both are known at as-of. "Not shipped by as-of" depends on as-of itself, so the
    daily reduction keeps the shipping day as a key and the comparison happens in the join.
    """
    j = history_joined(spine, daily, YEAR)
    recent = j.age <= 90
    unshipped = j.ship_day.isnull() | (j.ship_day >= j.asof_day)
    return j.group_by("_row").aggregate(
        r_promised_90=_sum(j.n, recent),
        r_promised_365=j.n.sum(),
        r_late_90=_sum(j.n, recent & j.late),
        r_late_365=_sum(j.n, j.late),
        r_unshipped_90=_sum(j.n, recent & unshipped),
    )


def delivery_times(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """Deliveries completed over the last 90 days and their total shipping-to-delivery days
    (summed exactly in seconds, in days only once summed)."""
    j = history_joined(spine, daily, 90)
    return j.group_by("_row").aggregate(
        r_delivered_90=j.n.sum(), r_transit_90=total(j.transit.sum()) / 86_400
    )


def settlement_weeks(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """Weeks with a payout and the sums of weekly net payouts (and squares), last 13 weeks;
    the net payouts of the last 90 days (the 13 weeks are 91: the oldest day is left out)."""
    j = history_joined(spine, daily, 91)
    weeks = j.mutate(week=(j.age - 1) // 7)
    weekly = weeks.group_by("_row", "week").aggregate(
        net=weeks.net.sum(), net_90=_sum(weeks.net, weeks.age <= 90)
    )
    return weekly.group_by("_row").aggregate(
        r_payout_weeks=weekly.count(),
        r_payout_sum=total(weekly.net.sum()),
        r_payout_sq_sum=total(exact_square(weekly.net).sum()),
        r_payout_90=total(weekly.net_90.sum()),
    )


def prior_loans(spine: ir.Table, sources: Sources) -> ir.Table:
    """Loans disbursed before as-of, and those of them that defaulted before as-of."""
    loans, outcomes = sources["loans"], sources["outcomes"]
    defaults = outcomes.filter(outcomes.defaulted).select(
        "loan_id", default_day=event_day(outcomes.default_at)
    )
    book = loans.left_join(defaults, "loan_id").select(
        "merchant_id",
        "default_day",
        day=event_day(loans.disbursed_at),
        principal=loans.principal,
    )
    j = history_joined(spine, book, None)
    defaulted = j.default_day.notnull() & (j.default_day < j.asof_day)
    return j.group_by("_row").aggregate(
        r_loans=j.count(),
        r_defaults=j.count(where=defaulted),
        r_principal=total(j.principal.sum()),
        r_last_loan_age=j.age.min(),
    )


def category_season(spine: ir.Table, daily: ir.Table, sources: Sources) -> ir.Table:
    """The category's GMV over the same last 30 and 365 days as each spine row (its season)."""
    categories = ibis.memtable(sources.merchants.select(["merchant_id", "category"]))
    labelled = daily.join(categories, "merchant_id")
    by_category = labelled.group_by("category", "day").aggregate(gmv=labelled.gmv.sum())
    keys = spine.select("_row", "category", "asof_day")
    preds = [
        keys.category == by_category.category,
        by_category.day < keys.asof_day,
        by_category.day >= keys.asof_day - YEAR,
    ]
    j = keys.join(by_category, preds)
    return j.group_by("_row").aggregate(
        r_category_gmv_30=total(_sum(j.gmv, j.asof_day - j.day <= 30)),
        r_category_gmv_365=total(j.gmv.sum()),
    )
