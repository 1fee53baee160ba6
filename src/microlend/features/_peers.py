"""Peer-relative features: a seller judged against similar sellers at the same time.

Peers are the merchants of the same category and size band (quintile of 90-day GMV within the
category). Point in time: a spine row dated ``D`` is compared with every merchant of the
platform as of the first day of ``D``'s month (its ``peer_day``), a snapshot built only from
events before that day. Scoring and training use the same rule, so a model sees in training
exactly the peer features it will see in production; the own value is as of ``D`` itself.

A percentile is the mid-rank share of peers below the value: ``(below + equal / 2) / peers``,
in [0, 1], 0.5 for a value equal to every peer's.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

__all__ = ["BASE_FEATURES", "PEER_FEATURES", "SIZE_BANDS", "peer_percentiles"]

SIZE_BANDS = 5
SIZE_FEATURE = "gmv_90d"
# peer feature -> the feature it ranks
PEER_FEATURES = {
    "peer_growth_pct": "gmv_growth_90d",
    "peer_refund_rate_pct": "refund_rate_90d",
    "peer_rating_pct": "rating_mean_180d",
    "peer_volatility_pct": "weekly_sales_cv_90d",
}
BASE_FEATURES = (SIZE_FEATURE, *PEER_FEATURES.values())
_TIE_DECIMALS = 9


def _percentile(u: ir.Table, value: str, partition: list[str]) -> ir.NumericValue:
    """Mid-rank percentile of ``value`` among the reference rows (``is_ref == 1``) of its group.

    Missing values get their own group and no percentile. Values are compared at 9 decimals:
    a ratio of float sums (the volatility) differs between engines in its last bits, which
    would otherwise split ties differently on DuckDB and on Spark.
    """
    v = u[value].round(_TIE_DECIMALS)
    groups = [*partition, v.isnull()]
    upto = ibis.range_window(group_by=groups, order_by=v, preceding=None, following=0)
    at_or_below = u.is_ref.sum().over(upto)
    equal = u.is_ref.sum().over(group_by=[*groups, v])
    peers = u.is_ref.sum().over(group_by=groups)
    share = (at_or_below - equal / 2) / peers
    return ibis.ifelse(v.notnull() & (peers > 0), share, ibis.null("float64"))


def peer_percentiles(target: ir.Table, reference: ir.Table) -> ir.Table:
    """``_row`` and the peer features of ``target`` rows ranked within ``reference``.

    Both tables hold ``category``, ``peer_day`` and ``BASE_FEATURES``; ``target`` also ``_row``.
    """
    columns = ["category", "peer_day", *BASE_FEATURES]
    union = ibis.union(
        target.select("_row", *columns, is_ref=ibis.literal(0)),
        reference.mutate(_row=ibis.literal(-1, "int64")).select(
            "_row", *columns, is_ref=ibis.literal(1)
        ),
    )
    size = _percentile(union, SIZE_FEATURE, ["peer_day", "category"])
    banded = union.mutate(
        band=ibis.least((size * SIZE_BANDS).floor(), SIZE_BANDS - 1).fill_null(-1)
    )
    partition = ["peer_day", "category", "band"]
    ranked = banded.mutate(
        **{peer: _percentile(banded, base, partition) for peer, base in PEER_FEATURES.items()}
    )
    return ranked.filter(ranked.is_ref == 0).select("_row", *PEER_FEATURES)
