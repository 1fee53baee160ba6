"""Trailing-window aggregates: each spine row against its merchant's daily rows before as-of.

A daily row of age ``a = as_of - day`` (in days, ``a >= 1``) lies in the trailing window of
``n`` days when ``a <= n``. Every aggregate is a conditional (``FILTER``) aggregate over one
point-in-time join, so one pass computes all windows. Each function returns ``_row`` plus raw
columns (prefixed ``r_``); features are derived from them in ``_formulas``.

Sums are exact: money stays the contract's decimal (squares included) and counts integers
until the last sum, and only its result becomes float64. A parallel engine adds rows in an
order that changes from run to run, so a float sum could differ in its last bits each time
(and a model trained on it would differ too); an exact sum is the same in any order.
"""

from __future__ import annotations

from collections.abc import Collection

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from microlend.data import day_start
from microlend.features._sources import Sources

__all__ = [
    "BUYER_DAYS",
    "LOOKBACK",
    "YEAR",
    "active_days",
    "buyer_mix",
    "exact_square",
    "history_joined",
    "sales_span",
    "sales_windows",
    "total",
    "weekly_sales",
    "year_ago",
]

YEAR = 365
#: The days of orders the buyer mix looks at (besides each buyer's first order).
BUYER_DAYS = 90
_WEEKS = 13
# Wide enough for any total of money at two decimals; a product of two has four, exactly.
_MONEY = dt.Decimal(38, 2)
# Days of order history each orders-based group reads before as-of (None: all of it). Sales
# a year back; year-on-year growth to the 90 days a year before the last 90.
LOOKBACK: dict[str, int | None] = {
    "sales": YEAR,
    "year_ago": YEAR + 90,
    "weekly": 7 * _WEEKS,
    "active": 90,
    "season": YEAR,
    "span": None,
}


def history_joined(spine: ir.Table, daily: ir.Table, lookback: int | None) -> ir.Table:
    """Spine rows joined to their merchant's daily rows before as-of (``age`` >= 1 days)."""
    keys = spine.select("_row", "merchant_id", "asof_day")
    preds = [keys.merchant_id == daily.merchant_id, daily.day < keys.asof_day]
    if lookback is not None:
        preds.append(daily.day >= keys.asof_day - lookback)
    joined = keys.join(daily, preds)
    return joined.mutate(age=joined.asof_day - joined.day)


def _sum(column: ir.NumericColumn, where: ir.BooleanValue) -> ir.NumericValue:
    return column.sum(where=where).fill_null(0)


def total(exact: ir.NumericValue) -> ir.NumericValue:
    """An exact sum (decimal money, integer counts) as float64, once it is complete."""
    return exact.cast("float64")


def exact_square(money: ir.NumericValue) -> ir.NumericValue:
    """``money * money`` without rounding: decimal(38, 2) squared is decimal(38, 4) on DuckDB
    and on Spark alike (integer amounts are widened the same way, never overflow int64)."""
    wide = money.cast(_MONEY)
    return wide * wide


def sales_windows(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """GMV, orders, cancellations and active days over the trailing windows."""
    j = history_joined(spine, daily, YEAR)
    a = j.age
    windows = {"30": a <= 30, "90": a <= 90, "180": a <= 180, "365": a <= YEAR}
    aggs: dict[str, ir.Value] = {}
    for days, inside in windows.items():
        aggs[f"r_gmv_{days}"] = total(_sum(j.gmv, inside))
        aggs[f"r_orders_{days}"] = _sum(j.orders, inside)
    prior_90 = (a > 90) & (a <= 180)
    aggs |= {
        "r_gmv_prior_90": total(_sum(j.gmv, prior_90)),
        "r_orders_prior_90": _sum(j.orders, prior_90),
        "r_cancelled_90": _sum(j.cancelled, windows["90"]),
    }
    return j.group_by("_row").aggregate(**aggs)


def year_ago(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """GMV of the same 90 and 30 days a year before the last ones (for seasonal growth)."""
    j = history_joined(spine, daily, LOOKBACK["year_ago"])
    a = j.age
    return j.group_by("_row").aggregate(
        r_gmv_year_ago_90=total(_sum(j.gmv, a > YEAR)),
        r_gmv_year_ago_30=total(_sum(j.gmv, (a > YEAR) & (a <= YEAR + 30))),
    )


def sales_windows_at(
    spine: ir.Table, sources: Sources, asof_day: int, extras: Collection[str] = ()
) -> ir.Table:
    """``sales_windows`` when every spine row has the same as-of day (scoring a whole book).

    With one date the windows are fixed instants, so orders are aggregated per merchant in a
    single pass with conditional aggregates, without the per-day reduction and the join (the
    daily rows of a busy marketplace are nearly as many as its orders). ``extras`` adds the
    aggregates of the 90 days before the last 90 (``"prior"``) and cancellations
    (``"cancel"``); without the latter, cancelled orders are dropped before aggregating.
    """
    orders = sources["orders"]
    orders = orders.filter(
        orders.created_at >= day_start(asof_day - YEAR), orders.created_at < day_start(asof_day)
    )
    live = orders.status != "cancelled"
    if "cancel" not in extras:
        orders = orders.filter(live)
        live = ibis.literal(True)
    at, amount = orders.created_at, orders.amount

    def after(days: int) -> ir.BooleanValue:
        return at >= day_start(asof_day - days)

    windows = {"30": after(30), "90": after(90), "180": after(180)}
    aggs: dict[str, ir.Value] = {}
    for days, inside in windows.items():
        aggs[f"r_gmv_{days}"] = amount.sum(where=live & inside)
        aggs[f"r_orders_{days}"] = orders.count(where=live & inside)
    aggs |= {"r_gmv_365": amount.sum(where=live), "r_orders_365": orders.count(where=live)}
    if "prior" in extras:
        prior_90 = live & windows["180"] & ~windows["90"]
        aggs |= {
            "r_gmv_prior_90": amount.sum(where=prior_90),
            "r_orders_prior_90": orders.count(where=prior_90),
        }
    if "cancel" in extras:
        aggs["r_cancelled_90"] = orders.count(where=~live & windows["90"])
    per_merchant = orders.group_by("merchant_id").aggregate(**aggs)
    typed = per_merchant.mutate(
        **{c: total(per_merchant[c]) for c in aggs if c.startswith("r_gmv")}
    )
    keys = spine.select("_row", "merchant_id")
    return keys.join(typed, "merchant_id").drop("merchant_id")


def active_days(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """Days with at least one sale over the last 90 days."""
    j = history_joined(spine, daily, 90)
    return j.group_by("_row").aggregate(r_active_days_90=j.count(where=j.orders > 0))


def sales_span(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """Age of the first and of the last sale before as-of (whole history, no lower bound)."""
    j = history_joined(spine, daily, None)
    sold = j.orders > 0
    return j.group_by("_row").aggregate(
        r_first_sale_age=j.age.max(where=sold), r_last_sale_age=j.age.min(where=sold)
    )


def weekly_sales(spine: ir.Table, daily: ir.Table) -> ir.Table:
    """Sums over the last 13 weeks of weekly GMV, squared weekly GMV and week index x GMV.

    Weeks without sales count as zero (they are absent rows, adding nothing to the sums), so the
    mean, variance and least-squares slope over all 13 weeks follow from these three sums.
    """
    j = history_joined(spine, daily, 7 * _WEEKS)
    week = (_WEEKS - 1) - (j.age - 1) // 7  # 0 = oldest week, 12 = the week before as-of
    weeks = j.mutate(week=week)
    weekly = weeks.group_by("_row", "week").aggregate(gmv=weeks.gmv.sum())
    return weekly.group_by("_row").aggregate(
        r_week_sum=total(weekly.gmv.sum()),
        r_week_sq_sum=total(exact_square(weekly.gmv).sum()),
        r_week_x_sum=total((weekly.gmv * weekly.week).sum()),
    )


def buyer_mix(spine: ir.Table, buyers: ir.Table, first: ir.Table) -> ir.Table:
    """The buyer mix of the last 90 days: sales by buyer (HHI, top-5 share), buyers who ordered
    more than once, and orders from returning buyers (who first ordered on an earlier day).

    ``buyers``: each buyer's spend and orders with a merchant per day; ``first``: the day of
    each buyer's first order with the merchant, over all the records: it is on or before the
    day of every order of theirs, so an order before as-of never reads a later one.

    These cannot be scaled to a window the records cut short (concentration falls, and repeat
    buyers rise, with the orders a window holds), so they look at the 90 days that every seller
    with 90 days of records has in full.
    """
    days = buyers.join(first, ["merchant_id", "buyer_id"])
    days = days.select(
        "merchant_id",
        "buyer_id",
        "day",
        "spend",
        "orders",
        returning=ibis.ifelse(days.day > days.first_day, days.orders, 0),
    )
    j = history_joined(spine, days, BUYER_DAYS)
    per_buyer = j.group_by("_row", "buyer_id").aggregate(
        spend=j.spend.sum(), orders=j.orders.sum(), returning=j.returning.sum()
    )
    # Buyers tied at the fifth place spend the same: whichever ranks first, the top 5 sum the same.
    rank = ibis.row_number().over(group_by="_row", order_by=ibis.desc(per_buyer.spend))
    ranked = per_buyer.mutate(rank=rank)
    return ranked.group_by("_row").aggregate(
        r_buyer_spend_90=total(ranked.spend.sum()),
        r_buyer_spend_sq_90=total(exact_square(ranked.spend).sum()),
        r_top5_spend_90=total(_sum(ranked.spend, ranked["rank"] < 5)),
        r_buyers_90=ranked.count(),
        r_repeat_buyers_90=ranked.count(where=ranked.orders >= 2),
        r_buyer_orders_90=ranked.orders.sum(),
        r_returning_orders_90=ranked.returning.sum(),
    )
