"""The builder's inputs as Ibis tables, reduced early to one row per merchant and day.

Every source is aggregated per (merchant, event day) before any window is applied: a year of
orders collapses to at most 365 rows per merchant, and the point-in-time joins that follow
(each spine row against its merchant's days) stay small whatever the order volume. The event
day is ``floor(epoch seconds / 86400)``, so "strictly before as-of 00:00 UTC" is ``day < as_of``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeAlias

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from microlend.data import arrow_schema
from microlend.errors import DataContractError, Violation

__all__ = ["HasTables", "Source", "Sources", "day_start", "event_day", "prepare_sources"]

Source: TypeAlias = pa.Table | ir.Table
_SECONDS_PER_DAY = 86_400
_REQUIRED = ("merchants", "orders")
_OPTIONAL = ("refunds", "reviews", "shipments", "settlements", "loans", "outcomes")


class HasTables(Protocol):
    """Anything holding contract tables by name, such as ``microlend.data.Dataset``."""

    @property
    def tables(self) -> Mapping[str, Any]: ...


def event_day(moment: ir.TimestampValue) -> ir.IntegerValue:
    """Epoch day of a UTC timestamp (portable: no time-zone setting of the backend involved)."""
    return (moment.epoch_seconds() // _SECONDS_PER_DAY).cast("int32")


def day_start(day: int) -> ir.TimestampScalar:
    """00:00 UTC of an epoch day, as a literal comparable with the contract's timestamps."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)
    return ibis.literal(moment, type="timestamp('UTC')")


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
class Sources:
    """Contract tables as Ibis expressions, plus the small merchants table in memory (Arrow)."""

    merchants: pa.Table
    tables: Mapping[str, ir.Table]

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]


def prepare_sources(tables: Mapping[str, Source], backend: ibis.BaseBackend) -> Sources:
    """Check and wrap the inputs; absent optional tables become empty ones of the contract."""
    absent = [n for n in _REQUIRED if n not in tables]
    if absent:
        raise DataContractError([Violation(n, None, None, "table is missing") for n in absent])
    exprs = {n: _as_ibis(n, tables[n]) for n in _REQUIRED}
    exprs.update({n: _as_ibis(n, tables[n]) if n in tables else _empty(n) for n in _OPTIONAL})
    merchants = backend.to_pyarrow(exprs["merchants"])
    return Sources(merchants=merchants, tables=exprs)
