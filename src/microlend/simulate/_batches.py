"""A simulated platform's records as the platform would export them: one batch folder a day.

``daily_batches`` writes ``history`` (every record before ``start``) and then one folder a day
(``YYYY-MM-DD``) from ``start`` to the records' end, each holding the platform's tables of that
day: a row goes to the day of its latest time (an order on the day it was placed, a refund on
the day it was made), so a record never comes before one it refers to. A shipment goes on the
day it shipped (the day it was promised for, if it never did), its promise as made and its
delivery only if it came by that day's end: the store keeps rows as they arrive and takes
nothing dated on a closed day, so a later delivery is not exported (a record of it is not built
yet) and features that count deliveries see fewer than one batch of the full records gives.
The lending tables (applications, loans, outcomes) are the lender's own: they come only with
the history, for training, as they stood before ``start`` (an outcome with a later default is
left out, and so is its loan's); the simulator's ``truth`` is never exported.
A day's folder holds the platform tables with rows that day (orders always, if empty) and
a ``dataset.json`` whose end is the next midnight (or the latest promise it holds), so that
ingesting it lets the store close the day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from microlend.data import Manifest, write_dataset
from microlend.errors import ConfigError

__all__ = ["HISTORY", "PLATFORM_TABLES", "daily_batches"]

#: The tables a platform exports every day.
PLATFORM_TABLES = ("merchants", "orders", "refunds", "reviews", "shipments", "settlements")
#: The lending history, exported once with the records before the first day.
_LENDING_TABLES = ("applications", "loans", "outcomes")
#: The folder of every record before the first day.
HISTORY = "history"
#: Known only once it happened: a shipment is exported when it ships.
_DELIVERED = "delivered_at"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000


def _stamps(table: pa.Table, name: str) -> pa.Array:
    return pc.cast(table.column(name), pa.timestamp("us", tz="UTC")).cast(pa.int64())


def _placed(name: str, table: pa.Table) -> pa.Array:
    """The time a row is exported at, in microseconds (null: undated): a shipment when it
    ships (when it was promised, if it never did), any other row at its latest time."""
    if name == "shipments":
        return pc.coalesce(_stamps(table, "shipped_at"), _stamps(table, "promised_at"))
    columns = [f.name for f in table.schema if pa.types.is_timestamp(f.type)]
    if not columns:
        return pa.nulls(table.num_rows, pa.int64())
    latest = _stamps(table, columns[0])
    for other in columns[1:]:
        latest = pc.max_element_wise(latest, _stamps(table, other), skip_nulls=True)
    return latest


def _end(part: Mapping[str, pa.Table], floor: int) -> datetime:
    """A batch's data end: ``floor`` (the next midnight), or its latest time if later (a
    shipment exported when it ships names the day it was promised for, which may be later)."""
    latest = floor
    for table in part.values():
        for field in table.schema:
            if pa.types.is_timestamp(field.type) and table.num_rows:
                found = pc.max(_stamps(table, field.name)).as_py()
                latest = max(latest, found if found is not None else floor)
    return datetime.fromtimestamp(latest / 1_000_000, UTC)


def _as_known(table: pa.Table, cut: int) -> pa.Table:
    """The rows as exported before ``cut``: a delivery not made by then is not known yet."""
    if _DELIVERED not in table.column_names:
        return table
    column = pc.cast(table.column(_DELIVERED), pa.timestamp("us", tz="UTC"))
    late = pc.fill_null(pc.greater_equal(column.cast(pa.int64()), cut), False)
    known = pc.if_else(late, pa.scalar(None, column.type), column)
    index = table.schema.get_field_index(_DELIVERED)
    return table.set_column(
        index, table.schema.field(index), known.cast(table.schema.field(index).type)
    )


def _between(table: pa.Table, stamps: pa.Array, low: int | None, high: int) -> pa.Table:
    inside = pc.less(stamps, high)
    if low is not None:
        inside = pc.and_(inside, pc.greater_equal(stamps, low))
    return _as_known(table.filter(pc.fill_null(inside, False)), high)


def _history(tables: Mapping[str, pa.Table], start: date) -> dict[str, pa.Table]:
    cut = _micros(_midnight(start))
    chosen: dict[str, pa.Table] = {}
    for name in (*PLATFORM_TABLES, *_LENDING_TABLES):
        if name in tables:
            stamps = _placed(name, tables[name])
            if name == "outcomes":
                stamps = pc.fill_null(stamps, cut - 1)  # no default: known with its loan
            chosen[name] = _between(tables[name], stamps, None, cut)
    if "outcomes" in chosen and "loans" in chosen:
        known = pc.is_in(chosen["outcomes"]["loan_id"], chosen["loans"]["loan_id"])
        chosen["outcomes"] = chosen["outcomes"].filter(known)
    return chosen


def daily_batches(
    tables: Mapping[str, pa.Table],
    root: Path,
    *,
    start: date,
    end: datetime,
    currency: str,
    fmt: Literal["parquet", "csv"] = "parquet",
) -> list[Path]:
    """Write ``root/history`` and one folder a day from ``start`` to the day before ``end``
    (the records' end, exclusive); the folders, in order. ``root`` must not hold them yet."""
    if not _midnight(start) < end:
        raise ConfigError(f"the daily batches start on {start}, not before the records end {end}")
    folders = [root / HISTORY]
    history = _history(tables, start)
    manifest = Manifest(_end(history, _micros(_midnight(start))), currency, {})
    write_dataset(history, folders[0], fmt=fmt, manifest=manifest)
    latest = {name: _placed(name, tables[name]) for name in PLATFORM_TABLES if name in tables}
    day, last = start, (end - timedelta(microseconds=1)).date()
    while day <= last:
        low, high = _micros(_midnight(day)), _micros(_midnight(day + timedelta(days=1)))
        part = {name: _between(tables[name], s, low, high) for name, s in latest.items()}
        # An empty merchants table is refused (the contract's rule); an empty orders table
        # keeps a quiet day a batch, whose end lets the store close the day.
        part = {n: t for n, t in part.items() if t.num_rows or n == "orders"}
        folders.append(root / day.isoformat())
        manifest = Manifest(_end(part, high), currency, {})
        write_dataset(part, folders[-1], fmt=fmt, manifest=manifest)
        day += timedelta(days=1)
    return folders
