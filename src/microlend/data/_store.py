"""The platform store: the contract tables in one embedded DuckDB file, grown batch by batch.

Beside the contract tables (each row tagged with the ``_batch`` that brought it) the file holds
``batches`` (what was ingested: content hash, source, rows per table, when, the data's end) and
``store_state`` (the last closed day, the platform's currency, the file's format), and the
daily aggregates the feature builder reads (``_store_daily``). Writers take an exclusive lock
on ``<store>.lock`` and readers a shared one, so two processes never open the file for writing
at once (DuckDB itself would refuse the second with an unhelpful I/O error).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from microlend.data._dataset import Dataset
from microlend.data._load import canonical
from microlend.data._manifest import Manifest
from microlend.data._store_daily import create_aggregates, merge_aggregates
from microlend.data.contract import CONTRACT, Kind, arrow_schema
from microlend.dates import to_utc
from microlend.errors import ConfigError, NotFoundError

__all__ = [
    "BATCH_COLUMN",
    "STORE_FORMAT",
    "BatchReceipt",
    "StoreState",
    "batches",
    "close_day",
    "column_types",
    "contract_ddl",
    "existing",
    "load_store",
    "locked",
    "read_batches",
    "read_state",
    "read_store",
    "store_connection",
    "store_format",
]

log = logging.getLogger(__name__)

#: The layout of a store's file: 1, the contract tables, receipts and state (issue 15, item 1);
#: 2, and the daily aggregates (issue 15, item 2). A writer upgrades an older store as it opens
#: it; a newer one is refused.
STORE_FORMAT = 2

#: Column of every stored contract table: the sequence number of the batch that brought the row.
BATCH_COLUMN = "_batch"

_DUCKDB_TYPES = {
    Kind.ID: "VARCHAR",
    Kind.TEXT: "VARCHAR",
    Kind.CURRENCY: "VARCHAR",
    Kind.TIMESTAMP: "TIMESTAMPTZ",
    Kind.MONEY: "DECIMAL(18,2)",
    Kind.INT: "BIGINT",
    Kind.FLOAT: "DOUBLE",
    Kind.BOOL: "BOOLEAN",
}

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS store.batches (seq BIGINT PRIMARY KEY, batch_id VARCHAR NOT NULL "
    "UNIQUE, source VARCHAR NOT NULL, row_counts VARCHAR NOT NULL, ingested_at TIMESTAMPTZ NOT "
    "NULL, data_end TIMESTAMPTZ NOT NULL)",
    "CREATE TABLE IF NOT EXISTS store.store_state (closed_through DATE, currency VARCHAR, "
    "format INTEGER)",
    "INSERT INTO store.store_state (closed_through, currency) SELECT NULL, NULL WHERE NOT "
    "EXISTS (SELECT 1 FROM store.store_state)",
)


@dataclass(frozen=True)
class BatchReceipt:
    """What one ingestion stored: ``batch_id`` is the sha256 of the batch's files (names and
    bytes), ``seq`` its place in the store, ``rows`` the rows added per table, ``end`` the
    batch's data end. ``already``: the same batch had been stored before; nothing was added and
    this is the first receipt."""

    batch_id: str
    seq: int
    source: str
    rows: Mapping[str, int]
    ingested_at: datetime
    end: datetime
    already: bool = False

    def to_dict(self) -> dict[str, object]:
        """The receipt as JSON values (times in ISO 8601, UTC)."""
        return {
            "batch_id": self.batch_id,
            "seq": self.seq,
            "source": self.source,
            "rows": dict(self.rows),
            "ingested_at": self.ingested_at.isoformat(),
            "end": self.end.isoformat(),
            "already": self.already,
        }


@dataclass(frozen=True)
class StoreState:
    """The store's last closed day (no record may be dated on or before it) and currency."""

    closed_through: date | None
    currency: str | None

    def first_open(self) -> datetime | None:
        """The first instant a record may be dated at, or ``None`` when no day is closed."""
        if self.closed_through is None:
            return None
        return to_utc(
            datetime.combine(self.closed_through + timedelta(days=1), datetime.min.time())
        )


@contextmanager
def locked(store: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold ``<store>.lock``: exclusive to write the store, shared to read it."""
    lock = store.with_name(f"{store.name}.lock")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def store_connection(
    store: Path, con: duckdb.DuckDBPyConnection | None = None, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``con`` (default: a new in-memory session in UTC) with the store attached as ``store``;
    a writable store is created with its schema if it does not exist yet."""
    session = con if con is not None else duckdb.connect()
    try:
        session.execute("SET TimeZone = 'UTC'")
        mode = " (READ_ONLY)" if read_only else ""
        try:
            session.execute(f"ATTACH '{_quoted(store)}' AS store{mode}")
        except duckdb.Error as exc:
            raise ConfigError(
                f"{store} cannot be opened as a store (a DuckDB file): {exc}"
            ) from None
        if not read_only:
            _prepare(session, store)
        found = store_format(session)
        if found > STORE_FORMAT:
            raise ConfigError(
                f"{store} is a store of format {found}, made by a newer microlend: this one "
                f"reads format {STORE_FORMAT} and older"
            )
        yield session
    finally:
        session.close()


def _prepare(con: duckdb.DuckDBPyConnection, store: Path) -> None:
    """Create a new store's schema, or bring an older store's up to ``STORE_FORMAT``, in one
    transaction (a store of the current format is left as it is)."""
    fresh = not column_types(con, "store", "batches")
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in _SCHEMA:
            con.execute(statement)
        found = 0 if fresh else store_format(con)
        if found < STORE_FORMAT:
            _upgrade(con, found)
            if found:
                log.info("upgraded %s from store format %d to %d", store, found, STORE_FORMAT)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _upgrade(con: duckdb.DuckDBPyConnection, found: int) -> None:
    """From format ``found`` (0: a new store) to ``STORE_FORMAT``: format 2 adds the daily
    aggregates, reduced from every stored record."""
    if "format" not in column_types(con, "store", "store_state"):
        con.execute("ALTER TABLE store.store_state ADD COLUMN format INTEGER")
    create_aggregates(con)
    if found:
        stored = [name for name in CONTRACT if column_types(con, "store", name)]
        merge_aggregates(con, stored, database="store")
    con.execute("UPDATE store.store_state SET format = ?", [STORE_FORMAT])


def store_format(con: duckdb.DuckDBPyConnection) -> int:
    """The attached store's format (1: made before the format was recorded)."""
    if "format" not in column_types(con, "store", "store_state"):
        return 1
    ((found,),) = con.execute("SELECT coalesce(max(format), 1) FROM store.store_state").fetchall()
    return int(found)


def existing(store: Path) -> Path:
    """``store`` as a path, which must exist (``NotFoundError`` otherwise)."""
    store = Path(store)
    if not store.is_file():
        raise NotFoundError(f"no store at {store}")
    return store


def contract_ddl(name: str) -> str:
    """``CREATE TABLE`` of the contract table ``name`` in the store (contract columns only)."""
    columns = [
        f"{c.name} {_DUCKDB_TYPES[c.kind]}{'' if c.nullable else ' NOT NULL'}"
        for c in CONTRACT[name].columns
    ]
    return f"CREATE TABLE store.{name} ({', '.join(columns)}, {BATCH_COLUMN} BIGINT NOT NULL)"


def column_types(con: duckdb.DuckDBPyConnection, database: str, table: str) -> dict[str, str]:
    """The columns of ``database.table`` and their DuckDB types; empty where there is none."""
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = ? AND table_name = ? ORDER BY column_index",
        [database, table],
    ).fetchall()
    return {str(name): str(kind) for name, kind in rows}


def read_state(con: duckdb.DuckDBPyConnection) -> StoreState:
    """The attached store's state."""
    rows = con.execute("SELECT closed_through, currency FROM store.store_state").fetchall()
    if not rows:
        return StoreState(None, None)
    return StoreState(rows[0][0], rows[0][1])


def read_batches(
    con: duckdb.DuckDBPyConnection, batch_id: str | None = None
) -> tuple[BatchReceipt, ...]:
    """The attached store's receipts, oldest first (only ``batch_id``'s if given)."""
    where = "" if batch_id is None else "WHERE batch_id = ?"
    rows = con.execute(
        "SELECT batch_id, seq, source, row_counts, ingested_at, data_end FROM store.batches "
        f"{where} ORDER BY seq",
        [] if batch_id is None else [batch_id],
    ).fetchall()
    return tuple(
        BatchReceipt(ident, seq, source, json.loads(counts), to_utc(at), to_utc(end))
        for ident, seq, source, counts, at, end in rows
    )


def batches(store: Path) -> tuple[BatchReceipt, ...]:
    """Every receipt of ``store``, oldest first; ``NotFoundError`` when there is no store."""
    store = existing(store)
    with locked(store, exclusive=False), store_connection(store, read_only=True) as con:
        return read_batches(con)


def close_day(store: Path, day: date) -> date:
    """Close ``day`` (and every day before it): no batch may then bring a record dated on or
    before it. A day is closed once the records reach its end; closing goes forward only."""
    store = existing(store)
    with locked(store, exclusive=True), store_connection(store) as con:
        state = read_state(con)
        if state.closed_through is not None and day < state.closed_through:
            raise ConfigError(
                f"{store}: {day} is before the last closed day {state.closed_through}; "
                "a closed day stays closed"
            )
        ((records_end,),) = con.execute("SELECT max(data_end) FROM store.batches").fetchall()
        day_end = to_utc(datetime.combine(day + timedelta(days=1), datetime.min.time()))
        if records_end is None or to_utc(records_end) < day_end:
            raise ConfigError(
                f"{store}: cannot close {day}: the stored records end at "
                f"{'nothing' if records_end is None else to_utc(records_end).isoformat()}, "
                "before the day does"
            )
        con.execute("UPDATE store.store_state SET closed_through = ?", [day])
    log.info("closed %s through %s", store, day)
    return day


@contextmanager
def read_store(store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A session with ``store`` attached read-only as ``store``, under its shared lock, to
    query its tables (the daily aggregates among them). ``NotFoundError`` without a store;
    ``ConfigError`` for a store made before the aggregates were kept, until a writer (an
    ``ingest``, even of a batch already stored, or a ``close_day``) has upgraded it."""
    store = existing(store)
    with locked(store, exclusive=False), store_connection(store, read_only=True) as con:
        found = store_format(con)
        if found < STORE_FORMAT:
            raise ConfigError(
                f"{store} is a store of format {found}, made before microlend kept daily "
                f"aggregates in it: ingest into it once (a batch already stored will do) to "
                f"upgrade it to format {STORE_FORMAT}"
            )
        yield con


def load_store(store: Path, *, end: datetime | None = None) -> Dataset:
    """The store's records as the ``Dataset`` a data folder of the same records gives.

    ``end``: the store as it stood then, holding the batches whose data end is not later;
    by default every batch, the data's end being the latest batch's. A required table no batch
    has brought yet is empty; an optional one is absent. ``NotFoundError`` without a store.
    """
    store = existing(store)
    with locked(store, exclusive=False), store_connection(store, read_only=True) as con:
        receipts = read_batches(con)
        if end is not None:
            receipts = tuple(r for r in receipts if r.end <= to_utc(end))
        data_end = to_utc(end) if end is not None else _latest_end(store, receipts)
        seqs = [r.seq for r in receipts]
        brought = {name for r in receipts for name in r.rows}
        tables = {name: _stored_table(con, name, seqs) for name in CONTRACT if name in brought}
        currency = read_state(con).currency
    tables = _with_required(tables)
    files = dict.fromkeys(tables, store)
    manifest = Manifest(data_end, currency, {"store": store.name})
    log.info("loaded store %s: %d batches, data end %s", store, len(seqs), data_end.isoformat())
    # The batches' ids name these records; the store file's bytes do not (DuckDB's layout).
    fingerprint = hashlib.sha256("\n".join(r.batch_id for r in receipts).encode()).hexdigest()
    return Dataset(
        root=store,
        tables=tables,
        files=files,
        end=data_end,
        manifest=manifest,
        fingerprint=fingerprint,
    )


def _stored_table(con: duckdb.DuckDBPyConnection, name: str, seqs: list[int]) -> pa.Table:
    # The rows come back in the order they were stored (DuckDB keeps insertion order).
    chosen = ", ".join(str(seq) for seq in seqs) or "NULL"
    table = con.sql(
        f"SELECT * EXCLUDE ({BATCH_COLUMN}) FROM store.{name} WHERE {BATCH_COLUMN} IN ({chosen})"
    ).to_arrow_table()
    return canonical(table, name)


def _latest_end(store: Path, receipts: tuple[BatchReceipt, ...]) -> datetime:
    if not receipts:
        raise NotFoundError(f"{store} holds no batch yet: ingest one first")
    return max(r.end for r in receipts)


def _with_required(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Every required table, empty where no batch has brought it yet (as an empty file reads)."""
    return {
        name: tables[name] if name in tables else arrow_schema(name).empty_table()
        for name, schema in CONTRACT.items()
        if name in tables or schema.required
    }


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
