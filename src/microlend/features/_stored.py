"""Features from a platform store: its daily aggregates, not its raw records.

``ingest`` keeps a store's per-merchant daily aggregates current (``data.AGGREGATES``), so
features as of a new day read days, not two years of orders: the store's aggregates, its
merchants, loans and outcomes go to ``build_features`` as ``DailyRecords``, and the query runs
in the store's own DuckDB session, reading the file in place. They equal the features of the
store's whole records (``build_features(load_store(store), ...)``), as a test proves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
import ibis
import pyarrow as pa

from microlend.data import AGGREGATES, CONTRACT, read_store
from microlend.features._builder import build_features
from microlend.features._sources import WHOLE, DailyRecords

__all__ = ["store_features"]


def store_features(
    store: Path,
    spine: pa.Table | None = None,
    *,
    as_of: date | None = None,
    features: Sequence[str] | None = None,
) -> pa.Table:
    """``build_features`` over every record of ``store`` (same arguments and result), from its
    daily aggregates. ``ConfigError`` for a store made before it kept them (``read_store``)."""
    with read_store(store) as con:
        backend = ibis.duckdb.from_connection(con)
        stored = _stored_tables(con)
        records = DailyRecords(
            tables={n: backend.table(n, database="store") for n in WHOLE if n in stored},
            daily={n: backend.table(n, database="store") for n in AGGREGATES},
        )
        return build_features(records, spine, as_of=as_of, features=features, backend=backend)


def _stored_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The contract tables some batch has brought (created with the first that did)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'"
    ).fetchall()
    return {str(name) for (name,) in rows} & set(CONTRACT)
