"""A platform's own export, mapped onto the contract by a TOML file.

Exports rarely use the contract's names and codes. A mapping file says, per contract table, which
file holds it, which of its columns is which contract column, how its codes translate (a status
``PAID``, a flag ``Y``), whether its amounts are in cents; and for the whole export the time zone
of its naive timestamps and the currency of a table with no currency column. It is applied as
each file is read, before any contract rule, so every later violation names the file and the
export's own column (``_findings.Source``).
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from microlend.data._findings import Findings, Source
from microlend.data.contract import CONTRACT, Kind, TableSchema
from microlend.errors import ConfigError, NotFoundError
from microlend.money import CURRENCY_EXPONENTS

__all__ = [
    "AMOUNT_UNITS",
    "ExportMapping",
    "TableMapping",
    "agreed_currency",
    "apply_mapping",
    "load_mapping",
]

#: How a table's amounts are written: currency units (``12.34``) or whole minor units (``1234``).
AMOUNT_UNITS = ("units", "cents")

_TOP_KEYS = frozenset({"time_zone", "currency", "tables"})
_TABLE_KEYS = frozenset({"file", "columns", "values", "amounts_in"})
_SUFFIXES = (".csv", ".parquet")
_WHOLE = r"^[+-]?\d{1,18}$"


@dataclass(frozen=True)
class TableMapping:
    """How one contract table is found in the export.

    ``file``: the export file's stem (``sales_export``: ``sales_export.csv`` or ``.parquet``)
    or its whole name; ``columns``: contract column -> the export's column; ``values``: contract
    column -> {the export's value: the contract's}; ``amounts_in``: one of ``AMOUNT_UNITS``.
    """

    table: str
    file: str
    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    amounts_in: str = "units"

    def file_names(self) -> tuple[str, ...]:
        """The file names the table may be stored under, in the order they are looked for."""
        if self.file.endswith(_SUFFIXES):
            return (self.file,)
        return tuple(f"{self.file}{suffix}" for suffix in _SUFFIXES)

    def renamed(self) -> tuple[tuple[str, str], ...]:
        """(contract column, export column) of each column the export names otherwise."""
        return tuple((c, s) for c, s in self.columns.items() if c != s)


@dataclass(frozen=True)
class ExportMapping:
    """A mapping file, checked. ``time_zone``: the zone of naive timestamps (IANA name);
    ``currency``: fills a missing currency column and sizes a cent; ``digest``: the sha256 of
    the file's bytes (a batch ingested under another mapping is another batch)."""

    path: Path
    tables: Mapping[str, TableMapping] = field(default_factory=dict)
    time_zone: str = "UTC"
    currency: str | None = None
    digest: str = ""

    def table(self, name: str) -> TableMapping:
        """The mapping of contract table ``name``: the contract's own names where none is given."""
        return self.tables.get(name) or TableMapping(name, name)


def load_mapping(path: Path) -> ExportMapping:
    """Read and check the mapping file ``path``. Raises ``NotFoundError`` for a missing file and
    ``ConfigError`` naming the file and the TOML key of anything it cannot use."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no mapping file at {path}")
    content = path.read_bytes()
    try:
        document = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a TOML file: {exc}") from None
    where = _Where(path)
    where.keys(document, _TOP_KEYS, "")
    currency = _currency(document.get("currency"), where)
    tables = where.table_of(document.get("tables", {}), "tables")
    mapped = {name: _table(name, spec, where) for name, spec in tables.items()}
    for name, table in mapped.items():
        if table.amounts_in == "cents" and currency is None:
            where.fail(
                f"tables.{name}.amounts_in",
                '"cents" needs the export\'s currency (currency = "EUR" at the top) '
                "to know what a cent is",
            )
    _distinct_files(mapped, where)
    return ExportMapping(
        path=path,
        tables=mapped,
        time_zone=_time_zone(document.get("time_zone", "UTC"), where),
        currency=currency,
        digest=hashlib.sha256(content).hexdigest(),
    )


@dataclass(frozen=True)
class _Where:
    """Says which key of which mapping file is wrong."""

    path: Path

    def fail(self, key: str, message: str) -> NoReturn:
        raise ConfigError(f"{self.path}: {key}: {message}")

    def keys(self, document: Mapping[str, object], allowed: frozenset[str], at: str) -> None:
        for key in document:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.fail(f"{at}{key}", f"unknown key (expected one of {known})")

    def table_of(self, value: object, key: str) -> dict[str, object]:
        if not isinstance(value, dict):
            self.fail(key, f"expected a table, got {value!r}")
        return value

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value:
            self.fail(key, f"expected a non-empty string, got {value!r}")
        return value


def _table(name: str, spec: object, where: _Where) -> TableMapping:
    at = f"tables.{name}"
    if name not in CONTRACT:
        where.fail(at, f"no contract table {name!r} (the tables: {', '.join(CONTRACT)})")
    schema = CONTRACT[name]
    table = where.table_of(spec, at)
    where.keys(table, _TABLE_KEYS, f"{at}.")
    file = where.text(table.get("file", name), f"{at}.file")
    if "/" in file or "\\" in file:
        where.fail(f"{at}.file", f"a file in the export's folder, not a path: {file!r}")
    columns = _columns(schema, where.table_of(table.get("columns", {}), f"{at}.columns"), where)
    values = where.table_of(table.get("values", {}), f"{at}.values")
    amounts_in = table.get("amounts_in", "units")
    if amounts_in not in AMOUNT_UNITS:
        where.fail(f"{at}.amounts_in", f'expected "units" or "cents", got {amounts_in!r}')
    return TableMapping(
        table=name,
        file=file,
        columns=columns,
        values={c: _codes(schema, c, v, where) for c, v in values.items()},
        amounts_in=str(amounts_in),
    )


def _columns(schema: TableSchema, spec: Mapping[str, object], where: _Where) -> dict[str, str]:
    """contract column -> the export's column; each export column names one contract column."""
    at = f"tables.{schema.name}.columns"
    columns: dict[str, str] = {}
    for contract, source in spec.items():
        _contract_column(schema, contract, f"{at}.{contract}", where)
        columns[contract] = where.text(source, f"{at}.{contract}")
    taken: dict[str, str] = {}
    for contract, source in columns.items():
        if source in taken:
            where.fail(f"{at}.{contract}", f"{source!r} is already mapped to {taken[source]}")
        taken[source] = contract
    return columns


def _codes(schema: TableSchema, column: str, spec: object, where: _Where) -> dict[str, str]:
    at = f"tables.{schema.name}.values.{column}"
    _contract_column(schema, column, at, where)
    codes = where.table_of(spec, at)
    return {str(code): where.text(value, f"{at}.{code}") for code, value in codes.items()}


def _contract_column(schema: TableSchema, column: str, key: str, where: _Where) -> None:
    if column not in schema.column_names:
        known = ", ".join(schema.column_names)
        where.fail(key, f"no contract column {column!r} in {schema.name} (its columns: {known})")


def _distinct_files(tables: Mapping[str, TableMapping], where: _Where) -> None:
    """Two contract tables cannot be read from one file (nor a table from another's file)."""
    owner: dict[str, str] = {}
    for name in CONTRACT:
        mapped = tables.get(name) or TableMapping(name, name)
        for file in mapped.file_names():
            if file in owner:
                where.fail(f"tables.{name}.file", f"{file} is already the file of {owner[file]}")
            owner[file] = name


def _time_zone(value: object, where: _Where) -> str:
    """An IANA zone both Python and DuckDB (which reads the timestamps) know: ``localtime``
    passes ``ZoneInfo`` on a system that has the file, but is no zone DuckDB can set."""
    zone = where.text(value, "time_zone")
    try:
        ZoneInfo(zone)
        known = zone in _duckdb_zones()
    except (ZoneInfoNotFoundError, ValueError):
        known = False
    if not known:
        where.fail(
            "time_zone", f"unknown time zone {zone!r}: expected an IANA name (Europe/Berlin)"
        )
    return zone


@functools.cache
def _duckdb_zones() -> frozenset[str]:
    with duckdb.connect() as con:
        rows = con.execute("SELECT name FROM pg_timezone_names()").fetchall()
    return frozenset(str(name) for (name,) in rows)


def _currency(value: object, where: _Where) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in CURRENCY_EXPONENTS:
        where.fail("currency", f"expected an ISO 4217 code (EUR, USD, ...), got {value!r}")
    return value


def agreed_currency(mapping: ExportMapping | None, stated: str | None, of: str) -> str | None:
    """The one currency of data read through ``mapping``: ``stated`` (that of ``of``: a folder's
    manifest, a store), else the mapping's. A mapping that names another is a ``ConfigError``
    naming its ``currency`` key: its cents and filled currency columns would be wrong."""
    mapped = mapping.currency if mapping is not None else None
    if mapping is not None and stated is not None and mapped not in (None, stated):
        raise ConfigError(
            f"{mapping.path}: currency: {mapped} is not {stated}, the currency of {of}"
        )
    return stated or mapped


def apply_mapping(
    raw: pa.Table, schema: TableSchema, source: Source, mapping: ExportMapping, findings: Findings
) -> pa.Table | None:
    """``raw`` as the export has it, with contract names, codes and units: columns renamed,
    codes translated, a missing currency column filled, cents made units. The read checks come
    after, as for any file. ``None`` (its findings noted) where it cannot be mapped."""
    table_mapping = mapping.table(schema.name)
    table = _renamed(raw, table_mapping, source, findings)
    if table is None:
        return None
    for name, codes in table_mapping.values.items():
        if name in table.column_names:
            table = _with(table, name, _translated(table.column(name), codes))
    if table_mapping.amounts_in == "cents":
        assert mapping.currency is not None  # load_mapping requires it for cents
        _check_cents_currency(table, source, mapping.currency, findings)
    for column in schema.columns:
        present = column.name in table.column_names
        if column.kind is Kind.CURRENCY and mapping.currency is not None and not present:
            filled = pa.repeat(pa.scalar(mapping.currency, pa.string()), table.num_rows)
            table = table.append_column(column.name, filled)
        if column.kind is Kind.MONEY and table_mapping.amounts_in == "cents" and present:
            assert mapping.currency is not None  # load_mapping requires it for cents
            units = _units(table.column(column.name), mapping.currency, column.name)
            units.report(source, findings)
            table = _with(table, column.name, units.values)
    return table


def _check_cents_currency(
    table: pa.Table, source: Source, currency: str, findings: Findings
) -> None:
    """Cents are sized by the mapping's currency: a row in another (1234 yen read as 12.34
    euros) is a violation, never rescaled quietly."""
    if "currency" not in table.column_names:
        return
    values = table.column("currency")
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return  # no codes: the column's own conversion names its type
    findings.add_rows(
        source,
        "currency",
        pc.not_equal(values, currency),
        lambda i: (
            f"{values[i].as_py()!r} is not the mapping's currency {currency}, which sizes its "
            f'cents (amounts_in = "cents")'
        ),
    )


def _renamed(
    raw: pa.Table, mapping: TableMapping, source: Source, findings: Findings
) -> pa.Table | None:
    """The export's columns under their contract names; an export column already called what
    another is mapped to would make two columns of one name: a violation naming both."""
    contract_of = {s: c for c, s in mapping.columns.items()}
    clashes = [
        name for name in raw.column_names if name not in contract_of and name in mapping.columns
    ]
    for name in clashes:
        message = (
            f"the export's own column {name!r} clashes with {mapping.columns[name]!r}, mapped "
            f"to {name}: map or drop one"
        )
        findings.add(source.violation(None, None, message))
    if clashes:
        return None
    return raw.rename_columns([contract_of.get(name, name) for name in raw.column_names])


def _with(table: pa.Table, name: str, values: pa.ChunkedArray) -> pa.Table:
    return table.set_column(table.column_names.index(name), name, values)


def _translated(values: pa.ChunkedArray, codes: Mapping[str, str]) -> pa.ChunkedArray:
    """Each of the export's codes as the contract's value; a value not in ``codes`` is left as
    it is, for the contract's own check to name. Codes compare as text (integers included)."""
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        if not (pa.types.is_integer(values.type) or pa.types.is_boolean(values.type)):
            return values  # not codes: the column's own conversion names its type
        values = values.cast(pa.string())
    values = values.cast(pa.string())
    index = pc.index_in(values, value_set=pa.array(list(codes), pa.string()))
    translated = pc.take(pa.array(list(codes.values()), pa.string()), index)
    return pc.coalesce(translated, values)


@dataclass(frozen=True)
class _Units:
    """Amounts made currency units. Where ``text`` was read, ``bad`` marks its present values
    that are no whole number; ``refused`` says why a column of another type cannot be cents."""

    values: pa.ChunkedArray
    column: str
    text: pa.ChunkedArray | None = None
    bad: pa.ChunkedArray | None = None
    refused: str | None = None

    def report(self, source: Source, findings: Findings) -> None:
        if self.refused is not None:
            findings.add(source.violation(None, self.column, self.refused))
        text = self.text
        if text is None or self.bad is None:
            return
        findings.add_rows(
            source,
            self.column,
            self.bad,
            lambda i: (
                f'expected a whole number of cents (the mapping\'s amounts_in = "cents"), '
                f"got {text[i].as_py()!r}"
            ),
        )


def _units(values: pa.ChunkedArray, currency: str, column: str) -> _Units:
    """Whole minor units to currency units, exactly: the integer times 10**-exponent, a decimal
    product (no float on the way). Text that is no whole number is flagged, a column of a type
    that holds no whole numbers refused."""
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    step = pa.scalar(Decimal(1).scaleb(-CURRENCY_EXPONENTS[currency]))
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        text = values.cast(pa.string())
        whole = pc.fill_null(pc.match_substring_regex(text, _WHOLE), True)
        kept = pc.if_else(whole, text, pa.scalar(None, pa.string()))
        integers = kept.cast(pa.decimal128(18, 0))
        return _Units(pc.multiply(integers, step), column, text, pc.invert(whole))
    if pa.types.is_integer(values.type):
        return _Units(pc.multiply(values.cast(pa.decimal128(20, 0)), step), column)
    if pa.types.is_decimal(values.type) and values.type.scale == 0:
        return _Units(pc.multiply(values, step), column)
    refused = (
        f'expected whole numbers of cents (the mapping\'s amounts_in = "cents"), '
        f"got values of type {values.type}"
    )
    return _Units(values, column, refused=refused)
