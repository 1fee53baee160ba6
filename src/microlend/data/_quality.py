"""Data-quality findings: what a valid data set still tells a risk analyst to look at.

The report is returned, never raised: missing values, duplicate rows, gaps in time, records
that arrive late, merchants that sell nothing. Rendering is the caller's (the cli's) business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from microlend.data._dataset import Dataset
from microlend.data._sql import connect
from microlend.data.contract import CONTRACT
from microlend.dates import iso_utc, to_utc
from microlend.types import Progress

__all__ = [
    "DELIVERY_LATE_DAYS",
    "EVENT_COLUMNS",
    "REFUND_LATE_DAYS",
    "REVIEW_LATE_DAYS",
    "Coverage",
    "LateRecords",
    "QualityReport",
    "TableQuality",
    "quality_report",
]

#: A review written this many days after its order or later is late-arriving.
REVIEW_LATE_DAYS = 90
#: A refund made more than this many days after its order is late-arriving.
REFUND_LATE_DAYS = 180
#: A delivery more than this many days after shipping is late-arriving.
DELIVERY_LATE_DAYS = 60

#: The timestamp that places each table's records in time, for date coverage.
EVENT_COLUMNS: Mapping[str, str] = {
    "merchants": "onboarded_at",
    "orders": "created_at",
    "refunds": "refunded_at",
    "reviews": "created_at",
    "shipments": "shipped_at",
    "settlements": "settled_at",
    "applications": "applied_at",
    "loans": "disbursed_at",
    "outcomes": "default_at",
}


@dataclass(frozen=True)
class _LateRule:
    """``table.when`` more than ``days`` after ``earlier.since``, the rows joined on ``key``."""

    table: str
    when: str
    earlier: str
    since: str
    days: int
    wording: str
    key: str = "order_id"


_LATE_RULES = (
    _LateRule("reviews", "created_at", "orders", "created_at", REVIEW_LATE_DAYS,
              "reviews written more than {days} days after their order"),
    _LateRule("refunds", "refunded_at", "orders", "created_at", REFUND_LATE_DAYS,
              "refunds made more than {days} days after their order"),
    _LateRule("shipments", "delivered_at", "shipments", "shipped_at", DELIVERY_LATE_DAYS,
              "deliveries more than {days} days after shipping"),
)  # fmt: skip
_SAMPLE = 10
_DAY_US = 86_400_000_000  # microseconds in a UTC day


@dataclass(frozen=True)
class Coverage:
    """Time span of a table: ``days`` from first to last record inclusive, and the empty ones."""

    column: str
    first: datetime | None
    last: datetime | None
    days: int
    days_without_records: int


@dataclass(frozen=True)
class TableQuality:
    """Shape and completeness of one table. ``missing`` is the share of nulls per column."""

    name: str
    file: str
    rows: int
    columns: int
    missing: Mapping[str, float]
    duplicate_rows: int
    coverage: Coverage | None


@dataclass(frozen=True)
class LateRecords:
    """Records that arrived more than ``threshold_days`` after the event they follow."""

    table: str
    description: str
    threshold_days: int
    count: int
    share: float


@dataclass(frozen=True)
class QualityReport:
    """Data-quality findings of a loaded data set."""

    end: datetime
    tables: tuple[TableQuality, ...]
    late: tuple[LateRecords, ...]
    merchants_without_orders: int
    merchants_without_orders_sample: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form: timestamps as ISO 8601 text."""
        return _jsonable(asdict(self))  # type: ignore[return-value]


def quality_report(dataset: Dataset, *, progress: Progress | None = None) -> QualityReport:
    """Measure the data-quality findings of ``dataset`` (one pass of queries per table);
    ``progress`` (silent by default) hears ``("quality report", share of the tables done)``."""
    tables: list[TableQuality] = []
    if progress is not None:
        progress("quality report", 0.0)
    with connect(dataset.tables, numbered=False) as con:
        for name, table in dataset.tables.items():
            tables.append(_table_quality(name, table, dataset.files[name].name, con))
            if progress is not None:
                progress("quality report", len(tables) / (len(dataset.tables) + 1))
        late = tuple(_late(rule, dataset, con) for rule in _LATE_RULES if _has_all(dataset, rule))
        idle, sample = _merchants_without_orders(dataset, con)
    if progress is not None:
        progress("quality report", 1.0)
    return QualityReport(dataset.end, tuple(tables), late, idle, sample)


def _table_quality(
    name: str, table: pa.Table, file: str, con: duckdb.DuckDBPyConnection
) -> TableQuality:
    rows = table.num_rows
    missing = {
        column: (table.column(column).null_count / rows if rows else 0.0)
        for column in table.column_names
    }
    duplicates = 0 if _keyed(name) else rows - _distinct_rows(name, con)
    event = EVENT_COLUMNS.get(name)
    coverage = _coverage(name, event, con) if event in table.column_names else None
    return TableQuality(name, file, rows, table.num_columns, missing, duplicates, coverage)


def _keyed(name: str) -> bool:
    """Whether the contract gives ``name`` a key: its rows are then all distinct, as loading
    refused a repeated or missing key (a ``Dataset`` holds only valid tables). Hashing every
    row of 13 million orders only to count 0 duplicates was most of the report's time."""
    schema = CONTRACT.get(name)
    return schema is not None and bool(schema.primary_key or schema.unique)


def _distinct_rows(name: str, con: duckdb.DuckDBPyConnection) -> int:
    (distinct,) = _one(con, f"SELECT count(*) FROM (SELECT DISTINCT * FROM {name})")
    return int(distinct)


def _coverage(table: str, column: str | None, con: duckdb.DuckDBPyConnection) -> Coverage:
    active_days = f"count(DISTINCT {_utc_day(str(column))})"
    first, last, active = _one(
        con, f"SELECT min({column}), max({column}), {active_days} FROM {table}"
    )
    if first is None or last is None:
        return Coverage(str(column), None, None, 0, 0)
    days = (last.date() - first.date()).days + 1
    return Coverage(str(column), to_utc(first), to_utc(last), days, days - int(active))


def _late(rule: _LateRule, dataset: Dataset, con: duckdb.DuckDBPyConnection) -> LateRecords:
    same = rule.table == rule.earlier
    since = f"{'t' if same else 'e'}.{rule.since}"
    late = f"epoch_us(t.{rule.when}) > epoch_us({since}) + {rule.days * _DAY_US}"
    join = "" if same else f"JOIN {rule.earlier} AS e ON t.{rule.key} = e.{rule.key}"
    query = f"SELECT count(*) FROM {rule.table} AS t {join} WHERE {late}"
    (count,) = _one(con, query)
    rows = dataset.table(rule.table).num_rows
    share = count / rows if rows else 0.0
    return LateRecords(rule.table, rule.wording.format(days=rule.days), rule.days, count, share)


def _merchants_without_orders(
    dataset: Dataset, con: duckdb.DuckDBPyConnection
) -> tuple[int, tuple[str, ...]]:
    if not (dataset.has("merchants") and dataset.has("orders")):
        return 0, ()
    # The orders' few distinct merchants (a grouping of millions of rows into thousands) are
    # what the anti join needs, not a hash table of every order; one query gives count and
    # sample (at most one row per merchant comes back).
    idle = con.sql(
        "SELECT m.merchant_id FROM merchants AS m "
        "ANTI JOIN (SELECT DISTINCT merchant_id FROM orders) AS o "
        "ON m.merchant_id = o.merchant_id ORDER BY m.merchant_id"
    ).fetchall()
    return len(idle), tuple(str(merchant) for (merchant,) in idle[:_SAMPLE])


def _utc_day(column: str) -> str:
    """The UTC day of ``column`` as a number. Days are whole multiples of 86,400 seconds in
    UTC; integer arithmetic on microseconds is exact and spares DuckDB's calendar (ICU) per
    row, most of the time of a ``CAST(... AS DATE)`` or ``+ INTERVAL n DAY`` over 13 million
    orders. Records are from 2000 on (the contract), so the division never meets a negative."""
    return f"epoch_us({column}) // {_DAY_US}"


def _has_all(dataset: Dataset, rule: _LateRule) -> bool:
    return dataset.has(rule.table) and dataset.has(rule.earlier)


def _one(con: duckdb.DuckDBPyConnection, query: str) -> tuple[Any, ...]:
    (row,) = con.sql(query).fetchall()  # an aggregate query: exactly one row
    return tuple(row)


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
