"""The store's daily aggregates (``_daily.AGGREGATES``), kept current batch by batch.

Each aggregate is a table of the store under its own name, created with the store. A batch's
records are reduced by the very expressions the feature builder uses, compiled to DuckDB SQL,
and merged inside the transaction that stores the batch: the stored rows of the days (or
buyers) the batch touches are taken out and put back combined with the batch's own, so there
stays one row per key, and a batch that fails leaves them as they were.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from microlend.data._daily import AGGREGATES, Aggregate
from microlend.data.contract import arrow_schema

if TYPE_CHECKING:
    import duckdb
    import ibis.expr.types as ir

__all__ = ["create_aggregates", "merge_aggregates"]


def _reduction(aggregate: Aggregate, database: str | None) -> ir.Table:
    """The aggregate over the contract table ``source`` of ``database`` (None: the session's
    own, where ``ingest`` registers the batch's tables), not bound to any backend."""
    import ibis

    schema = ibis.Schema.from_pyarrow(arrow_schema(aggregate.source))
    return aggregate.reduce(ibis.table(schema, name=aggregate.source, database=database))


def _types(expr: ir.Table) -> dict[str, str]:
    from ibis.backends.sql.datatypes import DuckDBType

    return {name: DuckDBType.to_string(kind) for name, kind in expr.schema().items()}


def create_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Create every aggregate's table in the attached store, empty, where it is missing."""
    for name, aggregate in AGGREGATES.items():
        types = _types(_reduction(aggregate, None))
        columns = ", ".join(f"{column} {kind}" for column, kind in types.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS store.{name} ({columns})")


def merge_aggregates(
    con: duckdb.DuckDBPyConnection, sources: Collection[str], *, database: str | None = None
) -> None:
    """Merge into the store's aggregates the records of the contract tables ``sources`` of
    ``database`` (None: the batch's tables, registered in the session under their names)."""
    for name, aggregate in AGGREGATES.items():
        if aggregate.source in sources:
            _merge(con, name, aggregate, database)


def _merge(
    con: duckdb.DuckDBPyConnection, name: str, aggregate: Aggregate, database: str | None
) -> None:
    import ibis

    expr = _reduction(aggregate, database)
    types = _types(expr)
    columns = ", ".join(types)
    casts = ", ".join(f"CAST({c} AS {kind}) AS {c}" for c, kind in types.items())
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE new_{name} AS "
        f"SELECT {casts} FROM ({ibis.to_sql(expr, dialect='duckdb')}) AS reduced"
    )
    keys, locate = ", ".join(aggregate.keys), ", ".join(aggregate.locate)
    merged = ", ".join(
        f"CAST({'min' if c in aggregate.firsts else 'sum'}({c}) AS {kind}) AS {c}"
        for c, kind in types.items()
        if c not in aggregate.keys
    )
    # A sum over the stored row and the batch's is the sum over both batches' records (NULL
    # only where both are: a day of cancelled orders only has no GMV), a min the earlier day.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE merged_{name} AS SELECT {keys}, {merged} FROM ("
        f"SELECT {columns} FROM store.{name} SEMI JOIN new_{name} USING ({locate}) "
        f"UNION ALL SELECT {columns} FROM new_{name}) AS both_ GROUP BY {keys}"
    )
    on = " AND ".join(f"s.{c} = touched.{c}" for c in aggregate.locate)
    con.execute(
        f"DELETE FROM store.{name} AS s USING "
        f"(SELECT DISTINCT {locate} FROM new_{name}) AS touched WHERE {on}"
    )
    con.execute(f"INSERT INTO store.{name} ({columns}) SELECT {columns} FROM merged_{name}")
    con.execute(f"DROP TABLE new_{name}")
    con.execute(f"DROP TABLE merged_{name}")
