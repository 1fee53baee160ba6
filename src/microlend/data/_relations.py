"""Rules across tables: foreign keys, the merchant of an order or application, refund totals."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from microlend.data._findings import Findings, Source
from microlend.data._sql import ROW, first_rows
from microlend.data.contract import CONTRACT

__all__ = ["check_relations"]

#: Tables whose rows belong to an order and must name that order's merchant.
_ORDER_CHILDREN = ("refunds", "reviews", "shipments")


def check_relations(
    sources: Mapping[str, Source], con: duckdb.DuckDBPyConnection, findings: Findings
) -> None:
    """Check the rules between the loaded tables (those named in ``sources``)."""
    loaded = set(sources)
    for name in sources:
        for key in CONTRACT[name].foreign_keys:
            if key.table in loaded:
                _foreign_key(
                    name, key.column, key.table, key.ref_column, sources[name], con, findings
                )
    if "orders" in loaded:
        for child in _ORDER_CHILDREN:
            if child in loaded:
                _same_merchant(child, "orders", "order_id", sources[child], con, findings)
        if "refunds" in loaded:
            _refunds_within_order(sources["refunds"], con, findings)
    if {"loans", "applications"} <= loaded:
        _same_merchant("loans", "applications", "application_id", sources["loans"], con, findings)


def _foreign_key(
    table: str,
    column: str,
    parent: str,
    ref: str,
    source: Source,
    con: duckdb.DuckDBPyConnection,
    findings: Findings,
) -> None:
    total, rows = first_rows(
        con,
        f"SELECT c.{ROW}, c.{column} FROM {table} AS c ANTI JOIN {parent} AS p "
        f"ON c.{column} = p.{ref} WHERE c.{column} IS NOT NULL",
    )
    located = [(row, f"{value!r} is not a {ref} of {parent}") for row, value in rows]
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
    source: Source, con: duckdb.DuckDBPyConnection, findings: Findings
) -> None:
    """Refunds of an order, in time order, may not sum above it; name the one that crosses."""
    total, rows = first_rows(
        con,
        f"""
        WITH running AS (
            SELECT {ROW}, order_id, amount,
                   sum(amount) OVER (
                       PARTITION BY order_id ORDER BY refunded_at, {ROW}
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                   ) AS refunded
            FROM refunds WHERE amount IS NOT NULL
        )
        SELECT r.{ROW}, r.order_id, r.refunded, o.amount
        FROM running AS r JOIN orders AS o ON r.order_id = o.order_id
        WHERE r.refunded > o.amount AND r.refunded - r.amount <= o.amount
        """,
    )
    located = [
        (row, f"refunds of order {order!r} reach {refunded} here, above the order's {amount}")
        for row, order, refunded, amount in rows
    ]
    findings.add_located(source, "amount", total, located)
