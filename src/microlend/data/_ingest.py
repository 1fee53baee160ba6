"""``ingest``: add one batch of records to the store, validated, all or nothing, at most once.

A batch is a folder holding any subset of the contract tables (CSV or Parquet, and optionally
a ``dataset.json``). It is read and checked with the folder loader's own readers and rules,
then against the store: keys already stored, references to merchants, orders, applications and
loans stored or in the batch, nothing dated on or before the last closed day, one currency.
Checks and writes run in one DuckDB transaction under the store's lock: on any error nothing of
the batch is stored; the same transaction merges the batch into the store's daily aggregates.
A batch is known by the sha256 of its files: the same batch again adds nothing and gets its
first receipt back, marked ``already``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from microlend.data._findings import Findings, Source
from microlend.data._manifest import MANIFEST_FILE, Manifest, read_manifest
from microlend.data._mapping import ExportMapping, agreed_currency
from microlend.data._quality import EVENT_COLUMNS
from microlend.data._read import locate_tables, read_tables
from microlend.data._relations import check_currencies, check_relations
from microlend.data._rules import check_table
from microlend.data._sql import ROW, connect, first_rows
from microlend.data._store import (
    BATCH_COLUMN,
    BatchReceipt,
    StoreState,
    column_types,
    contract_ddl,
    locked,
    read_batches,
    read_state,
    store_connection,
)
from microlend.data._store_daily import merge_aggregates
from microlend.data.contract import CONTRACT, TIMESTAMP_TYPE
from microlend.dates import iso_utc, to_utc
from microlend.errors import DataContractError, NotFoundError, Violation

__all__ = ["ingest"]

log = logging.getLogger(__name__)


def _unique_words(key: str) -> str:
    return f"{key} must be unique across batches"


@dataclass(frozen=True)
class _Batch:
    """A batch folder read into the contract's canonical form."""

    root: Path
    tables: Mapping[str, pa.Table]
    sources: Mapping[str, Source]
    manifest: Manifest | None
    digest: str
    mapping: ExportMapping | None = None


def ingest(
    store: Path,
    batch_dir: Path,
    *,
    at: datetime,
    end: datetime | None = None,
    mapping: ExportMapping | None = None,
) -> BatchReceipt:
    """Add the records of ``batch_dir`` to ``store`` (created if it does not exist).

    ``at``: when it is ingested (recorded on the receipt). ``end``: the batch's data end (no
    record may be later): by default its ``dataset.json``'s, else ``at``. Raises
    ``DataContractError`` naming file, row and column of what is wrong (nothing is stored
    then), ``NotFoundError`` for a missing folder and ``ConfigError`` for a file that is no store.
    ``mapping`` (``load_mapping``) reads a platform's own export; it is part of what the batch
    is: the same files under another mapping are another batch.
    """
    store, batch_dir = Path(store), Path(batch_dir)
    batch = _read_batch(batch_dir, mapping)
    at = to_utc(at)
    if end is not None:
        batch_end = to_utc(end)
    else:
        batch_end = batch.manifest.end if batch.manifest is not None else at
    store.parent.mkdir(parents=True, exist_ok=True)
    with locked(store, exclusive=True), store_connection(store, connect(batch.tables)) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            receipt = _store_batch(con, batch, at, batch_end)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    verb = "was already in" if receipt.already else "added to"
    log.info("batch %s (%s) %s %s", receipt.batch_id[:12], batch_dir, verb, store)
    return receipt


def _read_batch(root: Path, mapping: ExportMapping | None = None) -> _Batch:
    if not root.is_dir():
        raise NotFoundError(f"no batch folder at {root}")
    manifest = read_manifest(root)
    findings = Findings()
    files = locate_tables(root, findings, require=False, mapping=mapping)
    findings.raise_if_any()
    if not files:
        expected = ", ".join(f"{name}.csv" for name in CONTRACT)
        message = f"no contract table here: expected one or more of {expected} (or .parquet)"
        raise DataContractError([Violation(root.name, None, None, message)])
    sources, tables = read_tables(files, findings, mapping=mapping)
    findings.raise_if_any()
    digest = _digest(root, files)
    if mapping is not None:
        digest = hashlib.sha256(f"{digest}\0{mapping.digest}".encode()).hexdigest()
    return _Batch(root, tables, sources, manifest, digest, mapping)


def _digest(root: Path, files: Mapping[str, Path]) -> str:
    """sha256 over the batch's file names and contents (its tables and manifest)."""
    paths = sorted([*files.values(), *([root / MANIFEST_FILE] * (root / MANIFEST_FILE).is_file())])
    whole = hashlib.sha256()
    for path in paths:
        content = hashlib.sha256(path.read_bytes()).hexdigest()
        whole.update(f"{path.name}\0{content}\n".encode())
    return whole.hexdigest()


def _store_batch(
    con: duckdb.DuckDBPyConnection, batch: _Batch, at: datetime, end: datetime
) -> BatchReceipt:
    """Inside the open transaction: the first receipt of a batch stored before, else check the
    batch against the contract and the store, and append it."""
    stored = read_batches(con, batch.digest)
    if stored:
        return replace(stored[0], already=True)
    state = read_state(con)
    findings = Findings()
    currency = _check_currency(batch, state, findings)
    for name, table in batch.tables.items():
        check_table(CONTRACT[name], table, batch.sources[name], end, con, findings)
    check_relations(batch.sources, con, findings, known=_known_relations(con, batch))
    extras: dict[str, dict[str, str]] = {}
    for name, table in batch.tables.items():
        _check_stored_keys(con, name, batch.sources[name], findings)
        _check_open_days(name, table, batch.sources[name], state, findings)
        extras[name] = _check_extras(con, name, batch.sources[name], findings)
    findings.raise_if_any()
    ((seq,),) = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM store.batches").fetchall()
    for name in batch.tables:
        _append(con, name, int(seq), extras[name])
    # In the same transaction: a batch refused (or failing) leaves the aggregates as they were.
    merge_aggregates(con, batch.tables.keys())
    rows = {name: batch.tables[name].num_rows for name in sorted(batch.tables)}
    receipt = BatchReceipt(batch.digest, int(seq), str(batch.root.resolve()), rows, at, end)
    con.execute(
        "INSERT INTO store.batches VALUES (?, ?, ?, ?, ?, ?)",
        [receipt.seq, receipt.batch_id, receipt.source, _json(rows), at, end],
    )
    if state.currency is None and currency is not None:
        con.execute("UPDATE store.store_state SET currency = ?", [currency])
    return receipt


def _check_currency(batch: _Batch, state: StoreState, findings: Findings) -> str | None:
    """The store holds one currency, set by the first batch that names one: its manifest's,
    else its orders' one currency. Every later batch's manifest and currency columns must
    agree with it. Returns the store's currency once this batch is in (``None``: still none)."""
    mine = batch.manifest.currency if batch.manifest is not None else None
    if mine is not None and state.currency is not None and mine != state.currency:
        message = f"{mine} is not the store's currency {state.currency}"
        findings.add(Violation(MANIFEST_FILE, None, "currency", message))
    # The mapping's currency sizes its cents: it must be the store's, else the manifest's.
    of = "the store" if state.currency else str(batch.root / MANIFEST_FILE)
    stated = agreed_currency(batch.mapping, state.currency or mine, of)
    expected = stated or _one_order_currency(batch, findings)
    check_currencies(batch.tables, batch.sources, expected, findings, whose="the store's")
    return expected


def _one_order_currency(batch: _Batch, findings: Findings) -> str | None:
    """The one currency of the batch's orders, which becomes the store's when nothing has named
    one yet; orders in several currencies, with nothing to say which is the store's, are
    refused (a store that took them would lend in one and hold sales in others)."""
    if "orders" not in batch.tables:
        return None
    found = sorted(pc.unique(batch.tables["orders"].column("currency").drop_null()).to_pylist())
    if len(found) > 1:
        message = (
            f"holds orders in {', '.join(found)}: a store holds one currency; name it in the "
            f"batch's {MANIFEST_FILE}"
        )
        findings.add(batch.sources["orders"].violation(None, "currency", message))
    return str(found[0]) if len(found) == 1 else None


def _known_relations(con: duckdb.DuckDBPyConnection, batch: _Batch) -> dict[str, str]:
    """Per table, a relation of its stored rows and the batch's (``__row`` null where stored)."""
    known: dict[str, str] = {}
    for name in CONTRACT:
        stored = bool(column_types(con, "store", name))
        if name in batch.tables and stored:
            columns = ", ".join(CONTRACT[name].column_names)
            # Refunds are no one's parent: only the stored refunds of the batch's orders count.
            narrow = " WHERE order_id IN (SELECT order_id FROM refunds)" * (name == "refunds")
            con.execute(
                f"CREATE TEMP VIEW known_{name} AS SELECT {columns}, {ROW} FROM {name} "
                f"UNION ALL SELECT {columns}, NULL FROM store.{name}{narrow}"
            )
            known[name] = f"known_{name}"
        elif name in batch.tables:
            known[name] = name
        elif stored:
            known[name] = f"store.{name}"
    return known


def _check_stored_keys(
    con: duckdb.DuckDBPyConnection, name: str, source: Source, findings: Findings
) -> None:
    """A key of the batch that is already stored is refused, naming the batch that holds it."""
    if not column_types(con, "store", name):
        return
    schema = CONTRACT[name]
    for key in dict.fromkeys((schema.primary_key, *schema.unique)):
        if key is None:
            continue
        total, rows = first_rows(
            con,
            f"SELECT b.{ROW}, b.{key}, k.batch_id, k.source FROM {name} AS b "
            f"JOIN store.{name} AS s ON b.{key} = s.{key} "
            f"JOIN store.batches AS k ON k.seq = s.{BATCH_COLUMN}",
        )
        located = [
            (
                row,
                f"{value!r} is already stored (batch {ident[:12]}, {origin}): {_unique_words(key)}",
            )
            for row, value, ident, origin in rows
        ]
        findings.add_located(source, key, total, located)


def _check_open_days(
    name: str, table: pa.Table, source: Source, state: StoreState, findings: Findings
) -> None:
    """No record dated (by its table's event time) on or before the store's last closed day."""
    first_open, column = state.first_open(), EVENT_COLUMNS.get(name)
    if first_open is None or column is None:
        return
    values = table.column(column)
    findings.add_rows(
        source,
        column,
        pc.less(values, pa.scalar(first_open, TIMESTAMP_TYPE)),
        lambda i: (
            f"{iso_utc(values[i].as_py())} is on or before "
            f"{state.closed_through}, the store's last closed day"
        ),
    )


def _check_extras(
    con: duckdb.DuckDBPyConnection, name: str, source: Source, findings: Findings
) -> dict[str, str]:
    """The batch's extra columns and their types; one the store holds must keep its type."""
    contract = {*CONTRACT[name].column_names, ROW}
    mine = {str(r[0]): str(r[1]) for r in con.sql(f"DESCRIBE {name}").fetchall()}
    extras = {column: kind for column, kind in mine.items() if column not in contract}
    stored = column_types(con, "store", name)
    for column, kind in extras.items():
        if column == BATCH_COLUMN:
            findings.add(source.violation(None, column, "the store reserves this column's name"))
        elif column in stored and stored[column] != kind:
            message = f"holds {kind} values where the store's {name} holds {stored[column]}"
            findings.add(source.violation(None, column, message))
    return extras


def _append(con: duckdb.DuckDBPyConnection, name: str, seq: int, extras: dict[str, str]) -> None:
    """Append the batch's ``name`` rows to the store (creating the table, adding new extras)."""
    stored = column_types(con, "store", name)
    if not stored:
        con.execute(contract_ddl(name))
    for column, kind in extras.items():
        if column not in stored:
            con.execute(f"ALTER TABLE store.{name} ADD COLUMN {_identifier(column)} {kind}")
    con.execute(
        f"INSERT INTO store.{name} BY NAME "
        f"SELECT * EXCLUDE ({ROW}), {seq}::BIGINT AS {BATCH_COLUMN} FROM {name}"
    )


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _json(rows: Mapping[str, int]) -> str:
    return json.dumps(dict(rows), sort_keys=True)
