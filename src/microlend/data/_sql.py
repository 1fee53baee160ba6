"""DuckDB over the loaded Arrow tables, for the rules that need joins or windows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from microlend.data._findings import PER_RULE

__all__ = ["ROW", "connect", "first_rows"]

#: Column added to every registered table: the 0-based data row, to locate what a query finds.
ROW = "__row"


def connect(tables: Mapping[str, pa.Table], *, numbered: bool = True) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session in UTC with every table registered under its name.

    ``numbered`` adds the ``__row`` column, which locates what a rule finds.
    """
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB draws its own bar on stdout for a query over 2 s: it broke `check --json`'s one
    # object on a busy box. The command line shows progress itself.
    con.execute("SET enable_progress_bar = false")
    for name, table in tables.items():
        if numbered:
            table = table.append_column(ROW, pa.array(np.arange(table.num_rows, dtype=np.int64)))
        con.register(name, table)
    return con


def first_rows(con: duckdb.DuckDBPyConnection, query: str) -> tuple[int, list[tuple[Any, ...]]]:
    """How many rows ``query`` finds, and the first ``PER_RULE`` of them by data row.

    ``query`` must select ``__row`` first; the count is taken before the limit, in one pass.
    """
    ranked = (
        f"SELECT *, count(*) OVER () AS __total FROM ({query}) AS found "
        f"ORDER BY {ROW} LIMIT {PER_RULE}"
    )
    rows = con.sql(ranked).fetchall()
    total = int(rows[0][-1]) if rows else 0
    return total, [row[:-1] for row in rows]
