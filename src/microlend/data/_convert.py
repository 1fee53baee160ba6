"""Converting a read column to its canonical Arrow type, locating bad values vectorised.

Text (every CSV column, and text columns of Parquet files) is parsed by the column's kind;
typed Parquet columns are accepted where they convert exactly. A value that does not convert
becomes null and is flagged in ``Converted.bad``; a whole column of the wrong type is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from microlend.data.contract import MONEY_TYPE, TIMESTAMP_TYPE, Column, Kind

__all__ = ["ColumnTypeError", "Converted", "convert"]

_TEXTUAL = (Kind.ID, Kind.TEXT, Kind.CURRENCY)
# decimal128(18, 2) holds 16 integer digits.
_MONEY_LIMIT = Decimal(10) ** (MONEY_TYPE.precision - MONEY_TYPE.scale)
_PATTERNS = {
    Kind.INT: r"^[+-]?\d{1,18}$",
    Kind.FLOAT: r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$",
    Kind.MONEY: r"^[+-]?(\d{1,16}(\.\d{1,2})?|\.\d{1,2})$",
}
_EXPECTED = {
    Kind.INT: "an integer",
    Kind.FLOAT: "a number",
    Kind.BOOL: "true or false",
    Kind.MONEY: "a plain decimal amount with at most 2 decimal places",
    Kind.TIMESTAMP: "an ISO 8601 timestamp or date",
}
_TRUE = pa.array(["true", "1"])
_FALSE = pa.array(["false", "0"])


class ColumnTypeError(Exception):
    """A whole column has a type that cannot hold the contract's kind (for example float money)."""


@dataclass(frozen=True)
class Converted:
    """A column in its canonical type. Where ``bad`` is true a present value did not convert."""

    values: pa.ChunkedArray
    bad: pa.ChunkedArray | None = None
    expected: str = ""


def convert(raw: pa.ChunkedArray, column: Column, *, zone: str = "UTC") -> Converted:
    """Convert ``raw`` (text or typed) to ``column``'s canonical Arrow type; naive timestamps
    (and dates) are wall-clock times of ``zone`` (an IANA name), made UTC."""
    if pa.types.is_dictionary(raw.type):
        raw = raw.cast(raw.type.value_type)
    if pa.types.is_string(raw.type) or pa.types.is_large_string(raw.type):
        return _from_text(raw.cast(pa.string()), column.kind, zone)
    return _from_typed(raw, column, zone)


def _from_text(raw: pa.ChunkedArray, kind: Kind, zone: str) -> Converted:
    if kind in _TEXTUAL:
        return Converted(raw)
    if kind is Kind.TIMESTAMP:
        values = _parse_timestamps(raw, zone)
    elif kind is Kind.BOOL:
        lower = pc.utf8_lower(pc.utf8_trim_whitespace(raw))
        unknown = pa.scalar(None, pa.bool_())
        values = pc.if_else(
            pc.is_in(lower, _TRUE), True, pc.if_else(pc.is_in(lower, _FALSE), False, unknown)
        )
    else:
        well_formed = pc.match_substring_regex(raw, _PATTERNS[kind])
        kept = pc.if_else(well_formed, raw, pa.scalar(None, pa.string()))
        values = pc.cast(kept, _column_type(kind))
    return _flag(raw, values, _EXPECTED[kind])


def _parse_timestamps(raw: pa.ChunkedArray, zone: str) -> pa.ChunkedArray:
    """ISO 8601 text to UTC: offsets converted, naive taken as ``zone``'s wall clock (UTC by
    default), a date alone is midnight there."""
    with duckdb.connect() as con:
        # Naive text is read in the session's zone.
        _set_zone(con, zone)
        con.register("raw", pa.table({"value": raw}))
        parsed = con.sql("SELECT TRY_CAST(value AS TIMESTAMPTZ) AS value FROM raw").to_arrow_table()
    return parsed.column("value").cast(TIMESTAMP_TYPE)


def _set_zone(con: duckdb.DuckDBPyConnection, zone: str) -> None:
    quoted = zone.replace("'", "''")
    con.execute(f"SET TimeZone = '{quoted}'")


def _from_typed(raw: pa.ChunkedArray, column: Column, zone: str) -> Converted:
    kind, source = column.kind, raw.type
    if kind in _TEXTUAL and pa.types.is_integer(source):
        return Converted(raw.cast(pa.string()))
    if kind is Kind.BOOL and pa.types.is_boolean(source):
        return Converted(raw)
    if kind is Kind.FLOAT and _is_number(source):
        return Converted(raw.cast(pa.float64()))
    if kind is Kind.INT and pa.types.is_integer(source):
        return _integers(raw)
    if kind is Kind.INT and pa.types.is_floating(source):
        whole = pc.and_(pc.is_finite(raw), pc.equal(pc.trunc(raw), raw))
        return _keep(raw, pc.invert(whole), pa.int64(), "an integer")
    if kind is Kind.MONEY:
        return _money(raw, column.name)
    if kind is Kind.TIMESTAMP and (pa.types.is_timestamp(source) or pa.types.is_date(source)):
        return _timestamps(raw, zone)
    raise ColumnTypeError(f"expected {_kind_words(kind)}, got values of type {source}")


def _integers(raw: pa.ChunkedArray) -> Converted:
    if raw.type == pa.uint64():
        too_big = pc.greater(raw, pa.scalar(2**63 - 1, pa.uint64()))
        return _keep(raw, too_big, pa.int64(), "an integer within int64")
    return Converted(raw.cast(pa.int64()))


def _money(raw: pa.ChunkedArray, name: str) -> Converted:
    source = raw.type
    if pa.types.is_floating(source):
        raise ColumnTypeError(
            f"money must not be a float ({source}): binary floats cannot hold most cents "
            f"exactly; store {name!r} as a decimal, an integer or text"
        )
    if not (pa.types.is_integer(source) or pa.types.is_decimal(source)):
        raise ColumnTypeError(f"expected {_kind_words(Kind.MONEY)}, got values of type {source}")
    as_decimal = raw.cast(pa.decimal128(38, 0)) if pa.types.is_integer(source) else raw
    too_large = pc.greater_equal(pc.abs(as_decimal), pa.scalar(_MONEY_LIMIT))
    bad = too_large
    if pa.types.is_decimal(source) and source.scale > MONEY_TYPE.scale:
        inexact = pc.not_equal(pc.round(raw, ndigits=MONEY_TYPE.scale), raw)
        bad = pc.or_(too_large, inexact)
    return _keep(as_decimal, bad, MONEY_TYPE, "an amount with at most 16 digits and 2 decimals")


def _timestamps(raw: pa.ChunkedArray, zone: str) -> Converted:
    converted = _utc_timestamps(raw)
    naive = pa.types.is_date(raw.type) or raw.type.tz is None
    if not naive or zone == "UTC":
        return converted
    # Read as if UTC, the values are ``zone``'s wall clock: shift them to the instants they are.
    return Converted(_wall_to_utc(converted.values, zone), converted.bad, converted.expected)


def _utc_timestamps(raw: pa.ChunkedArray) -> Converted:
    source = raw.type
    if pa.types.is_date(source):
        return Converted(raw.cast(TIMESTAMP_TYPE))
    # A naive timestamp is UTC by the contract: re-labelling it keeps the stored instant.
    utc = raw.cast(pa.timestamp(source.unit, "UTC"))
    if source.unit != "ns":
        return Converted(utc.cast(TIMESTAMP_TYPE))
    micro = utc.cast(TIMESTAMP_TYPE, safe=False)
    inexact = pc.not_equal(micro.cast(utc.type), utc)
    return _keep(micro, inexact, TIMESTAMP_TYPE, "a timestamp to the microsecond")


def _wall_to_utc(wall: pa.ChunkedArray, zone: str) -> pa.ChunkedArray:
    """Wall-clock times of ``zone`` (labelled UTC) as UTC instants, by DuckDB's calendar, as
    for text: a time skipped by a clock change moves forward, a repeated one is the later."""
    with duckdb.connect() as con:
        _set_zone(con, zone)
        con.register("raw", pa.table({"value": wall.cast(pa.timestamp("us"))}))
        moved = con.sql("SELECT CAST(value AS TIMESTAMPTZ) AS value FROM raw").to_arrow_table()
    return moved.column("value").cast(TIMESTAMP_TYPE)


def _keep(
    raw: pa.ChunkedArray, bad: pa.ChunkedArray, target: pa.DataType, expected: str
) -> Converted:
    """Null out the ``bad`` values of ``raw``, then cast the rest (which convert exactly)."""
    bad = pc.fill_null(bad, False)
    if not pc.any(bad).as_py():
        # The usual case: nothing to null out, so no copy of a column of millions of amounts.
        return Converted(raw.cast(target), bad, expected)
    kept = pc.if_else(bad, pa.scalar(None, raw.type), raw)
    return Converted(kept.cast(target), bad, expected)


def _flag(raw: pa.ChunkedArray, values: pa.ChunkedArray, expected: str) -> Converted:
    bad = pc.and_(pc.is_valid(raw), pc.is_null(values))
    return Converted(values, bad, expected)


def _is_number(source: pa.DataType) -> bool:
    return bool(
        pa.types.is_integer(source) or pa.types.is_floating(source) or pa.types.is_decimal(source)
    )


def _column_type(kind: Kind) -> pa.DataType:
    return Column("", kind, "").arrow_type


def _kind_words(kind: Kind) -> str:
    return {
        Kind.ID: "text ids",
        Kind.TEXT: "text",
        Kind.CURRENCY: "ISO 4217 codes as text",
        Kind.INT: "integers",
        Kind.FLOAT: "numbers",
        Kind.BOOL: "booleans",
        Kind.MONEY: "decimal or integer amounts",
        Kind.TIMESTAMP: "timestamps",
    }[kind]
