"""A store keeps its daily aggregates current: ingested batch by batch (by day, and one day in
two hourly batches), they equal one reduction of all the records, and the features computed
from them equal a full rebuild from the records, bit for bit, as of any date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from data_factory import BatchedMarket, batched_market

from microlend.data import (
    AGGREGATES,
    STORE_FORMAT,
    Manifest,
    arrow_schema,
    batches,
    daily_aggregates,
    ingest,
    load_dataset,
    load_store,
    read_store,
    write_dataset,
)
from microlend.errors import ConfigError, DataContractError
from microlend.features import application_spine, build_features, store_features
from microlend.simulate import SimulationConfig

#: The history up to DAY0 comes as one batch, then a day, a day in two hours, a day, the rest.
DAY0 = datetime(2023, 11, 20, tzinfo=UTC)
CUTS = (
    DAY0,
    DAY0 + timedelta(days=1),
    DAY0 + timedelta(days=1, hours=12),
    DAY0 + timedelta(days=2),
    DAY0 + timedelta(days=3),
)
AT = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> BatchedMarket:
    root = tmp_path_factory.mktemp("platform")
    return batched_market(root, SimulationConfig(merchants=120, months=14, seed=11), CUTS, at=AT)


def stored_aggregates(store: Path) -> dict[str, list[dict[str, object]]]:
    with read_store(store) as con:
        return {
            n: _rows(n, con.sql(f"SELECT * FROM store.{n}").to_arrow_table()) for n in AGGREGATES
        }


def _rows(name: str, table: pa.Table) -> list[dict[str, object]]:
    """The rows of an aggregate in the order of its key (one row a key)."""
    return table.sort_by([(key, "ascending") for key in AGGREGATES[name].keys]).to_pylist()


def _same_features(got: pa.Table, expected: pa.Table, key: str) -> None:
    pd.testing.assert_frame_equal(
        got.to_pandas().sort_values(key).reset_index(drop=True),
        expected.to_pandas().sort_values(key).reset_index(drop=True),
        check_exact=True,
    )


def test_the_stored_aggregates_are_one_reduction_of_all_the_records(
    platform: BatchedMarket,
) -> None:
    records = load_dataset(platform.folder)
    con = ibis.duckdb.connect()
    memtables = {name: ibis.memtable(table) for name, table in records.tables.items()}
    whole = {n: _rows(n, con.to_pyarrow(e)) for n, e in daily_aggregates(memtables).items()}
    stored = stored_aggregates(platform.store)

    assert set(stored) == set(whole) == set(AGGREGATES)
    assert len(stored["daily_orders"]) > 10_000
    # Each of the day's two hourly batches, and the days around them, brought orders.
    assert all(r.rows.get("orders", 0) > 0 for r in batches(platform.store)[1:5])
    assert any(row["gmv"] is None for row in stored["daily_orders"])  # only cancelled orders
    for name, rows in whole.items():
        assert stored[name] == rows, name


#: As of the day after the one ingested in two hourly batches, and as of the records' end.
@pytest.mark.parametrize("as_of", [date(2023, 11, 22), date(2024, 3, 1)])
def test_features_from_the_aggregates_equal_a_full_rebuild(
    platform: BatchedMarket, as_of: date
) -> None:
    expected = build_features(load_dataset(platform.folder), as_of=as_of)
    got = store_features(platform.store, as_of=as_of)

    assert expected.num_rows > 50
    assert pc.sum(pc.is_nan(expected["gmv_90d"])).as_py() < expected.num_rows
    _same_features(got, expected, "merchant_id")


def test_features_of_applications_on_their_own_dates_equal_a_full_rebuild(
    platform: BatchedMarket,
) -> None:
    records = load_dataset(platform.folder)
    spine = application_spine(records.table("applications"))
    expected = build_features(records, spine)
    got = store_features(platform.store, spine)

    assert spine.num_rows > 20
    assert len(set(spine["as_of"].to_pylist())) > 10
    _same_features(got, expected, "application_id")


def test_the_same_batch_twice_changes_no_aggregate(platform: BatchedMarket) -> None:
    before = stored_aggregates(platform.store)
    receipt = ingest(platform.store, platform.batches[2], at=AT)

    assert receipt.already
    assert receipt.rows["orders"] > 0
    assert stored_aggregates(platform.store) == before


def test_a_refused_batch_changes_no_aggregate(platform: BatchedMarket, tmp_path: Path) -> None:
    """New orders on a stored day, and a refund of one above its amount: all refused."""
    orders = load_store(platform.store).table("orders")
    orders = orders.filter(pc.less(orders["created_at"], pa.scalar(CUTS[1])))
    orders = orders.slice(orders.num_rows - 3)
    orders = orders.set_column(0, "order_id", pa.array([f"new{k}" for k in range(3)]))
    refund = {
        "order_id": ["new0"],
        "merchant_id": [orders["merchant_id"][0].as_py()],
        "refunded_at": [CUTS[1]],
        "amount": [orders["amount"][0].as_py() * 2],
    }
    refunds = pa.Table.from_pydict(refund, schema=arrow_schema("refunds"))
    bad = tmp_path / "bad"
    currency = orders["currency"][0].as_py()
    manifest = Manifest(CUTS[1], currency)
    write_dataset({"orders": orders, "refunds": refunds}, bad, manifest=manifest)
    before, receipts = stored_aggregates(platform.store), batches(platform.store)

    with pytest.raises(DataContractError, match="above the order's"):
        ingest(platform.store, bad, at=AT)
    assert batches(platform.store) == receipts
    assert stored_aggregates(platform.store) == before


def _as_format_one(store: Path) -> None:
    """Strip a store to the layout of issue 15, item 1: no aggregates, no recorded format."""
    con = duckdb.connect(str(store))
    for name in AGGREGATES:
        con.execute(f"DROP TABLE {name}")
    con.execute("ALTER TABLE store_state DROP COLUMN format")
    con.close()


def test_an_older_store_is_refused_until_a_writer_upgrades_it(
    platform: BatchedMarket, tmp_path: Path
) -> None:
    old = tmp_path / "old.duckdb"
    old.write_bytes(platform.store.read_bytes())
    _as_format_one(old)

    with pytest.raises(ConfigError, match="format 1, made before microlend kept daily"):
        store_features(old, as_of=date(2023, 11, 23))
    assert load_store(old).tables["orders"].num_rows > 0  # its records still read
    assert ingest(old, platform.batches[0], at=AT).already  # a replayed batch upgrades it
    assert stored_aggregates(old) == stored_aggregates(platform.store)


def test_a_store_of_a_newer_format_is_refused(platform: BatchedMarket, tmp_path: Path) -> None:
    newer = tmp_path / "newer.duckdb"
    newer.write_bytes(platform.store.read_bytes())
    con = duckdb.connect(str(newer))
    con.execute("UPDATE store_state SET format = ?", [STORE_FORMAT + 1])
    con.close()

    with pytest.raises(ConfigError, match=f"format {STORE_FORMAT + 1}, made by a newer"):
        load_store(newer)
