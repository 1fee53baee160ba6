"""Rules across tables: foreign keys, the merchant of an order or application, refund totals."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from microlend.data._findings import Findings, Source
from microlend.data._sql import ROW, first_rows
from microlend.data.contract import CONTRACT, ForeignKey

__all__ = ["check_relations"]

#: Tables whose rows belong to an order and must name that order's merchant.
_ORDER_CHILDREN = ("refunds", "reviews", "shipments")


def check_relations(
    sources: Mapping[str, Source],
    con: duckdb.DuckDBPyConnection,
    findings: Findings,
    *,
    known: Mapping[str, str] | None = None,
) -> None:
    """Check the rules between the loaded tables (those named in ``sources``).

    ``known`` names, per table, the relation holding every row a reference may name: by
    default each loaded table itself; a store's batch passes its rows and the stored ones
    together, so that only the batch's rows are checked, against everything known.
    """
    relation = dict(known) if known is not None else {name: name for name in sources}
    for name in sources:
        for key in CONTRACT[name].foreign_keys:
            if key.table in relation:
                _foreign_key(name, key, relation[key.table], sources[name], con, findings)
    if "orders" in relation:
        for child in _ORDER_CHILDREN:
            if child in sources:
                _same_merchant(child, relation["orders"], "order_id", sources[child], con, findings)
        if "refunds" in sources:
            _refunds_within_order(
                sources["refunds"], relation["refunds"], relation["orders"], con, findings
            )
    if "loans" in sources and "applications" in relation:
        _same_merchant(
            "loans", relation["applications"], "application_id", sources["loans"], con, findings
        )


def _foreign_key(
    table: str,
    key: ForeignKey,
    parent: str,
    source: Source,
    con: duckdb.DuckDBPyConnection,
    findings: Findings,
) -> None:
    """Rows of ``table`` whose ``key`` names no row of the relation ``parent``."""
    column, ref = key.column, key.ref_column
    total, rows = first_rows(
        con,
        f"SELECT c.{ROW}, c.{column} FROM {table} AS c ANTI JOIN {parent} AS p "
        f"ON c.{column} = p.{ref} WHERE c.{column} IS NOT NULL",
    )
    located = [(row, f"{value!r} is not a {ref} of {key.table}") for row, value in rows]
    findings.add_located(source, column, total, located)


def _same_merchant(
    table: str,
    parent: str,
    key: str,
    source: Source,
    con: duckdb.DuckDBPyConnection,
    findings: Findings,
) -> None:
    total, rows = first_rows(
        con,
        f"SELECT c.{ROW}, c.merchant_id, c.{key}, p.merchant_id FROM {table} AS c "
        f"JOIN {parent} AS p ON c.{key} = p.{key} WHERE c.merchant_id <> p.merchant_id",
    )
    noun = key.removesuffix("_id")
    located = [
        (row, f"{mine!r} is not the merchant of {noun} {ref!r}, which is {theirs!r}")
        for row, mine, ref, theirs in rows
    ]
    findings.add_located(source, "merchant_id", total, located)


def _refunds_within_order(
    source: Source, refunds: str, orders: str, con: duckdb.DuckDBPyConnection, findings: Findings
) -> None:
    """Refunds of an order, in time order, may not sum above it; name the one that crosses.

    Rows of ``refunds`` without a ``__row`` (a store's) come first among refunds of one time.
    """
    total, rows = first_rows(
        con,
        f"""
        WITH running AS (
            SELECT {ROW}, order_id, amount,
                   sum(amount) OVER (
                       PARTITION BY order_id ORDER BY refunded_at, {ROW} NULLS FIRST
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                   ) AS refunded
            FROM {refunds} WHERE amount IS NOT NULL
        )
        SELECT r.{ROW}, r.order_id, r.refunded, o.amount
        FROM running AS r JOIN {orders} AS o ON r.order_id = o.order_id
        WHERE r.refunded > o.amount AND r.refunded - r.amount <= o.amount
        """,
    )
    located = [
        (row, f"refunds of order {order!r} reach {refunded} here, above the order's {amount}")
        for row, order, refunded, amount in rows
    ]
    findings.add_located(source, "amount", total, located)
