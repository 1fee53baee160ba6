"""Rules about one table's values: missing, allowed, bounds, currencies, dates from the contract's
earliest to the end, keys, sums, the rates in loan terms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from microlend.data._findings import Findings, Source
from microlend.data._sql import ROW, first_rows
from microlend.data.contract import (
    EARLIEST_RECORD,
    TERMS_RATE_CAPS,
    Column,
    Kind,
    TableSchema,
)
from microlend.dates import iso_utc
from microlend.money import CURRENCY_EXPONENTS

__all__ = ["check_table"]

_CURRENCIES = pa.array(sorted(CURRENCY_EXPONENTS))
_KIND_WORDS = {Kind.INT: "an integer", Kind.MONEY: "an amount", Kind.FLOAT: "a number"}

Rule = Callable[[pa.Table, Source, Findings], None]


def check_table(
    schema: TableSchema,
    table: pa.Table,
    source: Source,
    end: datetime,
    con: duckdb.DuckDBPyConnection,
    findings: Findings,
) -> None:
    """Check every single-table rule of ``schema`` on ``table`` (canonical form)."""
    for column in schema.columns:
        _check_column(column, table.column(column.name), source, end, findings)
    for key in dict.fromkeys((schema.primary_key, *schema.unique)):
        if key is not None and not _ascending(table.column(key)):
            _unique(schema.name, key, source, con, findings)
    for rule in _TABLE_RULES.get(schema.name, ()):
        rule(table, source, findings)


def _check_column(
    column: Column, values: pa.ChunkedArray, source: Source, end: datetime, findings: Findings
) -> None:
    name = column.name
    if not column.nullable:
        missing = pc.is_null(values)
        if column.kind is Kind.ID:
            missing = pc.or_kleene(missing, _blank(values))
        findings.add_rows(source, name, missing, lambda _: "missing value (the column is required)")
    if column.allowed is not None:
        allowed = ", ".join(column.allowed)
        outside = pc.invert(pc.is_in(values, pa.array(column.allowed)))
        findings.add_rows(source, name, outside, _got(values, f"one of {allowed}"))
    if column.low is not None or column.high is not None:
        _bounds(column, values, source, findings)
    if column.kind is Kind.CURRENCY:
        unknown = pc.invert(pc.is_in(values, _CURRENCIES))
        findings.add_rows(source, name, unknown, _got(values, "an ISO 4217 currency code"))
    if column.kind is Kind.TIMESTAMP:
        _in_time(name, values, source, end, findings)


def _blank(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty or only (Unicode) whitespace: as trimming the whitespace would leave ``""``, but
    without a trimmed copy of millions of ids."""
    return pc.or_(pc.equal(pc.binary_length(values), 0), pc.utf8_is_space(values))


def _in_time(
    name: str, values: pa.ChunkedArray, source: Source, end: datetime, findings: Findings
) -> None:
    """No record before the contract's earliest date (a placeholder) or after the data's end."""
    earlier = pc.less(values, pa.scalar(EARLIEST_RECORD, values.type))
    earliest = iso_utc(EARLIEST_RECORD)
    findings.add_rows(
        source,
        name,
        earlier,
        lambda i: (
            f"{iso_utc(values[i].as_py())} is before {earliest}, the earliest date of a record"
        ),
    )
    later = pc.greater(values, pa.scalar(end, values.type))
    end_text = iso_utc(end)
    findings.add_rows(
        source,
        name,
        later,
        lambda i: f"{iso_utc(values[i].as_py())} is after the data's end {end_text}",
    )


def _bounds(column: Column, values: pa.ChunkedArray, source: Source, findings: Findings) -> None:
    """Values below ``low`` or above ``high``. An amount's floor and its cap (a sanity bound
    far above it) are worded apart: "from 0 to 1,000,000,000,000" would hide which was crossed."""
    kind = _KIND_WORDS.get(column.kind, "a value")
    both = column.low is not None and column.high is not None and column.kind is not Kind.MONEY
    if column.low is not None:
        words = _range_words(kind, column.low, column.high if both else None)
        below = pc.less(values, _limit(column, column.low))
        findings.add_rows(source, column.name, below, _got(values, words))
    if column.high is not None:
        words = _range_words(kind, column.low if both else None, column.high)
        above = pc.greater(values, _limit(column, column.high))
        findings.add_rows(source, column.name, above, _got(values, words))


def _range_words(kind: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{kind} from {_number(low)} to {_number(high)}"
    if low is not None:
        return f"{kind} of at least {_number(low)}"
    return f"{kind} of at most {_number(high)}"


def _number(bound: float | None) -> str:
    """A bound as people write it: ``1,000,000,000,000``, ``0.01``, ``5`` (never ``1e+12``)."""
    return f"{Decimal(str(bound)).normalize():,f}"


def _limit(column: Column, bound: float) -> pa.Scalar:
    if column.kind is Kind.MONEY:
        return pa.scalar(Decimal(str(bound)))
    if column.kind is Kind.INT:
        return pa.scalar(int(bound), pa.int64())
    return pa.scalar(float(bound), pa.float64())


def _ascending(values: pa.ChunkedArray) -> bool:
    """Whether ``values`` rise strictly from row to row, without a null: then no key repeats.

    Exports are usually written in key order; one vectorised comparison of neighbours then
    spares the hash grouping of millions of keys. Otherwise ``_unique`` looks for repeats.
    """
    if values.null_count or len(values) < 2:
        return bool(values.null_count == 0)
    return bool(pc.all(pc.less(values[:-1], values[1:])).as_py())


def _unique(
    table: str, key: str, source: Source, con: duckdb.DuckDBPyConnection, findings: Findings
) -> None:
    """Every row whose ``key`` already appeared on an earlier row is a violation."""
    # A grouping finds out cheaply whether any key repeats; only then locate the repeats.
    (repeats,) = con.sql(
        f"SELECT count(*) FROM (SELECT {key} FROM {table} WHERE {key} IS NOT NULL "
        f"GROUP BY {key} HAVING count(*) > 1)"
    ).fetchall()
    if repeats[0] == 0:
        return
    total, rows = first_rows(
        con,
        f"SELECT {ROW}, {key}, min({ROW}) OVER (PARTITION BY {key}) AS first "
        f"FROM {table} WHERE {key} IS NOT NULL QUALIFY {ROW} > first",
    )
    located = [(r[0], f"{r[1]!r} repeats row {r[2] + 1}: {key} must be unique") for r in rows]
    findings.add_located(source, key, total, located)


def _settlements(table: pa.Table, source: Source, findings: Findings) -> None:
    gross, fees, net = (table.column(n) for n in ("gross", "fees", "net"))
    differs = pc.not_equal(net, pc.subtract(gross, fees))
    findings.add_rows(
        source,
        "net",
        differs,
        lambda i: f"net {net[i]} is not gross {gross[i]} - fees {fees[i]}",
    )


def _shipments(table: pa.Table, source: Source, findings: Findings) -> None:
    shipped, delivered = table.column("shipped_at"), table.column("delivered_at")
    findings.add_rows(
        source,
        "delivered_at",
        pc.less(delivered, shipped),
        lambda i: (
            f"delivered at {iso_utc(delivered[i].as_py())}, "
            f"before it was shipped at {iso_utc(shipped[i].as_py())}"
        ),
    )


def _outcomes(table: pa.Table, source: Source, findings: Findings) -> None:
    defaulted = table.column("defaulted")
    dated = pc.is_valid(table.column("default_at"))
    findings.add_rows(
        source,
        "default_at",
        pc.not_equal(defaulted, dated),
        lambda i: (
            "missing: a defaulted loan needs its default date"
            if defaulted[i].as_py()
            else "present on a loan that did not default"
        ),
    )


def _loans(table: pa.Table, source: Source, findings: Findings) -> None:
    """``terms`` is a JSON object, and each rate it names lies from 0 to the contract's cap."""
    terms = table.column("terms")
    rates = ", ".join(
        f"CASE WHEN ok THEN json_extract_string(terms, '$.{rate}') END AS {rate}, "
        f"TRY_CAST({rate} AS DOUBLE) AS {rate}_value"
        for rate in TERMS_RATE_CAPS
    )
    with duckdb.connect() as con:
        con.register("loans", pa.table({"terms": terms}))
        parsed = con.sql(
            f"SELECT ok, {rates} FROM (SELECT terms, CASE WHEN json_valid(terms) "
            "THEN json_type(terms) = 'OBJECT' ELSE false END AS ok FROM loans)"
        ).to_arrow_table()
    not_object = pc.and_(pc.is_valid(terms), pc.invert(parsed.column("ok")))
    findings.add_rows(source, "terms", not_object, _got(terms, "a JSON object"))
    for rate, cap in TERMS_RATE_CAPS.items():
        _rate(rate, cap, parsed.column(rate), parsed.column(f"{rate}_value"), source, findings)


def _rate(
    rate: str,
    cap: float,
    texts: pa.ChunkedArray,
    numbers: pa.ChunkedArray,
    source: Source,
    findings: Findings,
) -> None:
    """A rate of the terms that is no number from 0 to ``cap`` (an absent rate is the
    ledger's to require, by product)."""
    beyond = pc.or_(pc.less(numbers, 0.0), pc.greater(numbers, cap))
    outside = pc.or_kleene(pc.or_kleene(pc.is_null(numbers), pc.is_nan(numbers)), beyond)
    bad = pc.and_(pc.is_valid(texts), outside)
    findings.add_rows(
        source,
        "terms",
        bad,
        lambda i: (
            f"terms.{rate}: expected a rate from 0 to {_number(cap)} (a fraction, not percent), "
            f"got {texts[i].as_py()}"
        ),
    )


_TABLE_RULES: dict[str, tuple[Rule, ...]] = {
    "settlements": (_settlements,),
    "shipments": (_shipments,),
    "outcomes": (_outcomes,),
    "loans": (_loans,),
}


def _got(values: pa.ChunkedArray, expected: str) -> Callable[[int], str]:
    return lambda index: f"expected {expected}, got {_show(values[index].as_py())}"


def _show(value: object) -> str:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, Decimal | int | float):
        return str(value)
    return repr(value)
