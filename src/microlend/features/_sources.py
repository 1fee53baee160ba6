"""The builder's inputs as Ibis tables, reduced early to one row per merchant and day.

Every event source is aggregated per (merchant, event day) before any window is applied
(``data.daily_aggregates``): a year of orders collapses to at most 365 rows per merchant, and
the point-in-time joins that follow (each spine row against its merchant's days) stay small
whatever the order volume. The inputs are either the contract tables, reduced here, or a
platform store's aggregates, which ``ingest`` keeps current (``DailyRecords``): the windows over
them are the same expressions. The event day is ``floor(epoch seconds / 86400)``, so "strictly
before as-of 00:00 UTC" is ``day < as_of``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from microlend.data import AGGREGATES, arrow_schema, daily_aggregates, event_day
from microlend.errors import DataContractError, Violation

__all__ = ["WHOLE", "DailyRecords", "HasTables", "Source", "Sources", "prepare_sources"]

Source: TypeAlias = pa.Table | ir.Table
_REQUIRED = ("merchants", "orders")
_OPTIONAL = ("refunds", "reviews", "shipments", "settlements", "loans", "outcomes")
#: The tables the builder reads whole, not as daily aggregates: they are small.
WHOLE = ("merchants", "loans", "outcomes")


class HasTables(Protocol):
    """Anything holding contract tables by name, such as ``microlend.data.Dataset``."""

    @property
    def tables(self) -> Mapping[str, Any]: ...


def _as_ibis(name: str, table: Source) -> ir.Table:
    columns = arrow_schema(name).names
    expr = ibis.memtable(table) if isinstance(table, pa.Table) else table
    missing = [c for c in columns if c not in expr.columns]
    if missing:
        raise DataContractError(
            [Violation(name, None, c, "required column is missing") for c in missing]
        )
    return expr.select(*columns)


def _empty(name: str) -> ir.Table:
    return ibis.memtable(arrow_schema(name).empty_table())


@dataclass(frozen=True)
class DailyRecords:
    """Records as a platform store keeps them, as Ibis tables of one backend: ``tables`` the
    merchants, loans and outcomes (contract tables, read whole), ``daily`` every other source
    reduced to its daily aggregates (``data.AGGREGATES`` by name)."""

    tables: Mapping[str, ir.Table]
    daily: Mapping[str, ir.Table]


@dataclass(frozen=True)
class Sources:
    """Contract tables as Ibis expressions, plus the small merchants table in memory (Arrow).

    ``stored``: the daily aggregates as a store keeps them; ``None`` to reduce ``tables``.
    """

    merchants: pa.Table
    tables: Mapping[str, ir.Table]
    stored: Mapping[str, ir.Table] | None = None

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]

    def daily(self, since: int | None, until: int, buyers_since: int) -> dict[str, ir.Table]:
        """The daily aggregates, those of orders and buyers (the big ones) only of the days
        in ``[since, until)`` and ``[buyers_since, until)`` (``since`` None: from the start)."""
        if self.stored is None:
            daily = daily_aggregates(self.tables, since=since, until=until)
        else:
            daily = dict(self.stored)
            daily["daily_orders"] = _days(daily["daily_orders"], since, until)
        daily["daily_buyers"] = _days(daily["daily_buyers"], buyers_since, until)
        return daily

    def first_order_day(self, backend: ibis.BaseBackend) -> int | None:
        """The epoch day of the first order, ``None`` when there is none."""
        if self.stored is None:
            # The earliest moment first, then its day: one cheap min, not a day for every order.
            first = backend.execute(event_day(self.tables["orders"].created_at.min()))
        else:
            first = backend.execute(self.stored["daily_orders"].day.min())
        return None if first is None or first != first else int(first)  # None or NaN: none


def _days(daily: ir.Table, since: int | None, until: int) -> ir.Table:
    kept = daily.filter(daily.day < until)
    return kept if since is None else kept.filter(kept.day >= since)


def prepare_sources(
    tables: Mapping[str, Source] | DailyRecords, backend: ibis.BaseBackend
) -> Sources:
    """Check and wrap the inputs; absent optional tables become empty ones of the contract."""
    if isinstance(tables, DailyRecords):
        return _prepare_daily(tables, backend)
    absent = [n for n in _REQUIRED if n not in tables]
    if absent:
        raise DataContractError([Violation(n, None, None, "table is missing") for n in absent])
    exprs = {n: _as_ibis(n, tables[n]) for n in _REQUIRED}
    exprs.update({n: _as_ibis(n, tables[n]) if n in tables else _empty(n) for n in _OPTIONAL})
    merchants = backend.to_pyarrow(exprs["merchants"])
    return Sources(merchants=merchants, tables=exprs)


def _prepare_daily(records: DailyRecords, backend: ibis.BaseBackend) -> Sources:
    """A store's inputs: the whole tables checked, the aggregates it lacks empty."""
    whole = {n: _as_ibis(n, records.tables[n]) if n in records.tables else _empty(n) for n in WHOLE}
    lacking = {a.source for name, a in AGGREGATES.items() if name not in records.daily}
    daily = {**daily_aggregates({n: _empty(n) for n in lacking}), **records.daily}
    return Sources(backend.to_pyarrow(whole["merchants"]), whole, daily)
