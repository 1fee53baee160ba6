"""Rules across tables: an empty table others name, foreign keys, the merchant of an order or
application, refund totals, time order between related rows, and one currency throughout."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from datetime import timedelta

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from microlend.data._findings import Findings, Source
from microlend.data._sql import ROW, first_rows
from microlend.data.contract import CONTRACT, MERCHANT_RECORD_GRACE, ForeignKey
from microlend.dates import iso_utc

__all__ = ["check_currencies", "check_relations", "check_time_order"]

#: Tables whose rows belong to an order and must name that order's merchant.
_ORDER_CHILDREN = ("refunds", "reviews", "shipments")


@dataclass(frozen=True)
class _After:
    """``table.column`` is not earlier than ``since`` of the ``parent`` row its ``key`` names,
    less ``grace``."""

    table: str
    column: str
    parent: str
    since: str
    key: str
    grace: timedelta = timedelta(0)


def _merchants_record(table: str, column: str) -> _After:
    return _After(table, column, "merchants", "onboarded_at", "merchant_id", MERCHANT_RECORD_GRACE)


#: What happens after what: nothing a merchant does before it joined, no refund, review or
#: shipment before its order, no loan before its application, no default before the money.
TIME_ORDER = (
    _merchants_record("orders", "created_at"),
    _merchants_record("settlements", "settled_at"),
    _merchants_record("applications", "applied_at"),
    _After("refunds", "refunded_at", "orders", "created_at", "order_id"),
    _After("reviews", "created_at", "orders", "created_at", "order_id"),
    _After("shipments", "shipped_at", "orders", "created_at", "order_id"),
    _After("loans", "disbursed_at", "applications", "applied_at", "application_id"),
    _After("outcomes", "default_at", "loans", "disbursed_at", "loan_id"),
)


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
    empty = _empty_parents(sources, relation, con, findings)
    clean = _clean_order_children(sources, relation, con)
    merchants_named = True  # every merchant an order names exists (stored orders were checked)
    for name in sources:
        for key in CONTRACT[name].foreign_keys:
            if (
                key.table in relation
                and key.table not in empty
                and not _cleared(name, key, clean, merchants_named)
            ):
                found = _foreign_key(name, key, relation[key.table], sources[name], con, findings)
                if name == "orders" and key.table == "merchants":
                    merchants_named = found == 0
    if "orders" in relation:
        for child in _ORDER_CHILDREN:
            if child in sources and child not in clean:
                _same_merchant(child, relation["orders"], "order_id", sources[child], con, findings)
        if "refunds" in sources:
            _refunds_within_order(
                sources["refunds"], relation["refunds"], relation["orders"], con, findings
            )
    if "loans" in sources and "applications" in relation:
        _same_merchant(
            "loans", relation["applications"], "application_id", sources["loans"], con, findings
        )
    check_time_order(sources, con, findings, known=relation, clean=clean)


def check_time_order(
    sources: Mapping[str, Source],
    con: duckdb.DuckDBPyConnection,
    findings: Findings,
    *,
    known: Mapping[str, str] | None = None,
    clean: Set[str] = frozenset(),
) -> None:
    """Rows of the tables in ``sources`` dated before the related row they follow
    (``TIME_ORDER``); ``known`` as for ``check_relations``, which calls this; ``clean``:
    order children already shown to follow their orders (``_clean_order_children``)."""
    relation = dict(known) if known is not None else {name: name for name in sources}
    for rule in TIME_ORDER:
        cleared = rule.table in clean and rule.parent == "orders"
        if rule.table in sources and rule.parent in relation and not cleared:
            _after(rule, relation[rule.parent], sources[rule.table], con, findings)


def _clean_order_children(
    sources: Mapping[str, Source], relation: Mapping[str, str], con: duckdb.DuckDBPyConnection
) -> set[str]:
    """The order children (refunds, reviews, shipments) with no row that could break a rule
    against its order: no or an unknown order, another merchant, a date before the order's.

    One join answers all three at once; on valid records (the usual case) it spares the
    three joins with millions of orders that the rules would make one by one. Where a row
    may break one, every rule still runs and words what it finds.
    """
    clean: set[str] = set()
    for rule in TIME_ORDER:
        if rule.parent != "orders" or rule.table not in sources or "orders" not in relation:
            continue
        (suspect,) = con.sql(
            f"SELECT EXISTS (SELECT 1 FROM {rule.table} AS c "
            f"LEFT JOIN {relation['orders']} AS p ON c.order_id = p.order_id "
            # A row without an order (itself a violation) vouches for no merchant: suspect.
            "WHERE p.order_id IS NULL OR c.merchant_id <> p.merchant_id "
            f"OR {_earlier(rule)})"
        ).fetchall()[0]
        if not suspect:
            clean.add(rule.table)
    return clean


def _cleared(name: str, key: ForeignKey, clean: Set[str], merchants_named: bool) -> bool:
    """Whether the foreign key ``key`` of ``name`` holds without a join: a clean order child
    names known orders, and the merchant of each, which is a known merchant where the orders'
    own merchant key found nothing (millions of rows spared a join to no effect)."""
    if name not in clean:
        return False
    return key.table == "orders" or (key.table == "merchants" and merchants_named)


def _after(
    rule: _After, parent: str, source: Source, con: duckdb.DuckDBPyConnection, findings: Findings
) -> None:
    grace = int(rule.grace.total_seconds())
    total, rows = first_rows(
        con,
        f"SELECT c.{ROW}, c.{rule.column}, c.{rule.key}, p.{rule.since} "
        f"FROM {rule.table} AS c JOIN {parent} AS p ON c.{rule.key} = p.{rule.key} "
        f"WHERE {_earlier(rule)}",
    )
    noun = rule.key.removesuffix("_id")
    early = f"more than {_duration(rule.grace)} before" if grace else "before"
    located = [
        (row, f"{iso_utc(when)} is {early} the {rule.since} {iso_utc(since)} of its {noun} {ref!r}")
        for row, when, ref, since in rows
    ]
    findings.add_located(source, rule.column, total, located)


def _earlier(rule: _After) -> str:
    """SQL: the child row ``c`` is dated before ``since`` of its parent ``p``, less the grace.

    On microseconds since the epoch: exact (the grace is whole seconds) and without DuckDB's
    calendar arithmetic (ICU) on every row of a join with millions of orders."""
    grace_us = int(rule.grace.total_seconds()) * 1_000_000
    return f"epoch_us(c.{rule.column}) < epoch_us(p.{rule.since}) - {grace_us}"


def check_currencies(
    tables: Mapping[str, pa.Table],
    sources: Mapping[str, Source],
    currency: str | None,
    findings: Findings,
    *,
    whose: str = "the data set's",
) -> None:
    """Every ``currency`` column (``orders``', or an extra one on any table: a loan's, an
    application's) holds the data set's one ``currency``: the manifest's, else (``None``) the
    orders' when they all name one. Without either there is nothing to agree with. ``whose``
    names the currency in the message (a store's batch: "the store's")."""
    if currency is None and "orders" in tables:
        found = pc.unique(tables["orders"].column("currency").drop_null()).to_pylist()
        currency = found[0] if len(found) == 1 else None
    if currency is None:
        return
    for name, table in tables.items():
        if "currency" not in table.column_names:
            continue
        values = table.column("currency")
        if values.type != pa.string():
            values = pc.cast(values, pa.string())
        findings.add_rows(
            sources[name],
            "currency",
            pc.not_equal(values, currency),
            _other(values, currency, whose),
        )


def _other(values: pa.ChunkedArray, currency: str, whose: str) -> Callable[[int], str]:
    return lambda i: f"{values[i].as_py()!r} is not {whose} currency {currency}"


def _empty_parents(
    sources: Mapping[str, Source],
    relation: Mapping[str, str],
    con: duckdb.DuckDBPyConnection,
    findings: Findings,
) -> set[str]:
    """Loaded tables without a row that others name (merchants always): one violation each,
    not one per row that names them."""
    empty: set[str] = set()
    for parent in sources:
        children = [
            name
            for name in sources
            if any(key.table == parent for key in CONTRACT[name].foreign_keys)
            and _has_rows(name, con)
        ]
        if (parent == "merchants" or children) and not _has_rows(relation[parent], con):
            empty.add(parent)
            named = (
                f": every row of {', '.join(children)} names one of its rows" if children else ""
            )
            findings.add(sources[parent].violation(None, None, f"{parent} is empty{named}"))
    return empty


def _has_rows(relation: str, con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.sql(f"SELECT EXISTS (SELECT 1 FROM {relation})").fetchall()[0][0])


def _duration(span: timedelta) -> str:
    days = span / timedelta(days=1)
    return f"{days:g} day{'s' if days != 1 else ''}"


def _foreign_key(
    table: str,
    key: ForeignKey,
    parent: str,
    source: Source,
    con: duckdb.DuckDBPyConnection,
    findings: Findings,
) -> int:
    """Rows of ``table`` whose ``key`` names no row of the relation ``parent``: how many."""
    column, ref = key.column, key.ref_column
    total, rows = first_rows(
        con,
        f"SELECT c.{ROW}, c.{column} FROM {table} AS c ANTI JOIN {parent} AS p "
        f"ON c.{column} = p.{ref} WHERE c.{column} IS NOT NULL",
    )
    located = [(row, f"{value!r} is not a {ref} of {key.table}") for row, value in rows]
    findings.add_located(source, column, total, located)
    return total


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
