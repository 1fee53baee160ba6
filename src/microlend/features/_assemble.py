"""From a spine to feature columns: run the aggregate groups a feature set needs, derive.

The spine given here is an Ibis table with ``_row`` (its position), ``merchant_id``,
``asof_day``, ``onboard_day``, ``category`` and ``peer_day``. Every group is joined back to
it by ``_row`` with a left join, so each spine row gets exactly one output row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import ibis.expr.types as ir

from microlend.features import _quality as q
from microlend.features import _windows as w
from microlend.features._formulas import AGE_COLUMNS, FORMULAS
from microlend.features._sources import Sources

__all__ = ["Inputs", "derive", "groups_of", "widen"]


@dataclass
class Inputs:
    """The sources, and their daily aggregates built once and shared by the groups.

    ``first_day`` and ``end_day`` are the earliest and latest as-of (epoch) days of every spine
    the inputs will serve; with the groups to compute they bound the orders read.
    """

    sources: Sources
    groups: Collection[str]
    first_day: int
    end_day: int
    daily: dict[str, ir.Table] = field(init=False)

    def __post_init__(self) -> None:
        reach = [w.LOOKBACK[g] for g in self.groups if g in w.LOOKBACK]
        bounded = [days for days in reach if days is not None]
        since = self.first_day - max(bounded, default=0) if len(bounded) == len(reach) else None
        buyers_since = self.first_day - w.BUYER_DAYS
        self.daily = self.sources.daily(since, self.end_day, buyers_since)

    @property
    def orders(self) -> ir.Table:
        """Orders per merchant and day (``data.AGGREGATES``' ``daily_orders``)."""
        return self.daily["daily_orders"]


Group = Callable[[ir.Table, Inputs], ir.Table]

_GROUPS: dict[str, Group] = {
    "sales": lambda s, i: w.sales_windows(s, i.orders),
    "span": lambda s, i: w.sales_span(s, i.orders),
    "active": lambda s, i: w.active_days(s, i.orders),
    "year_ago": lambda s, i: w.year_ago(s, i.orders),
    "weekly": lambda s, i: w.weekly_sales(s, i.orders),
    "buyers": lambda s, i: w.buyer_mix(s, i.daily["daily_buyers"], i.daily["buyer_first"]),
    "refunds": lambda s, i: q.refund_windows(s, i.daily["daily_refunds"]),
    "reviews": lambda s, i: q.review_windows(s, i.daily["daily_reviews"]),
    "shipments": lambda s, i: q.shipment_windows(s, i.daily["daily_shipments"]),
    "delivery": lambda s, i: q.delivery_times(s, i.daily["daily_deliveries"]),
    "payouts": lambda s, i: q.settlement_weeks(s, i.daily["daily_settlements"]),
    "loans": lambda s, i: q.prior_loans(s, i.sources),
    "season": lambda s, i: q.category_season(s, i.orders, i.sources),
}


def groups_of(names: Iterable[str]) -> set[str]:
    """The aggregate groups the named features are computed from.

    Besides the groups of ``_GROUPS``: ``peers``, and ``prior`` and ``cancel``, which add
    aggregates to the ``sales`` group's one-date plan (its daily plan always has them).
    """
    return {g for name in names for g in FORMULAS[name].groups}


def _left_join(left: ir.Table, right: ir.Table) -> ir.Table:
    joined = left.left_join(right, "_row")
    return joined.drop("_row_right") if "_row_right" in joined.columns else joined


def _group(
    name: str, spine: ir.Table, inputs: Inputs, one_day: int | None, groups: Collection[str]
) -> ir.Table:
    # One date and the raw orders at hand: one pass over them beats reducing them per day. A
    # store's orders are already per day, so its windows are the daily plan's.
    if name == "sales" and one_day is not None and inputs.sources.stored is None:
        return w.sales_windows_at(spine, inputs.sources, one_day, groups)
    return _GROUPS[name](spine, inputs)


def widen(
    spine: ir.Table, groups: Collection[str], inputs: Inputs, one_day: int | None = None
) -> ir.Table:
    """The spine with the raw aggregates of ``groups``; a row with no events gets zeros.

    ``one_day``: the as-of day shared by every spine row, if they share one (a faster plan).
    """
    wide = spine
    for name in sorted(groups & _GROUPS.keys()):
        wide = _left_join(wide, _group(name, spine, inputs, one_day, groups))
    zeros = {
        c: wide[c].fill_null(0) for c in wide.columns if c.startswith("r_") and c not in AGE_COLUMNS
    }
    return wide.mutate(**zeros) if zeros else wide


def derive(wide: ir.Table, names: Iterable[str], extra: ir.Table | None = None) -> ir.Table:
    """``_row`` and the named features as float64, from the raw aggregates (and peer columns)."""
    if extra is not None:
        wide = _left_join(wide, extra)
    columns = {name: FORMULAS[name].expr(wide).cast("float64") for name in names}
    return wide.select("_row", **columns)
