"""A simulated market ingested as three batches by date reads back as its whole folder: the same
tables, and the same features built from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from data_factory import assert_same_records

from microlend.data import (
    BatchReceipt,
    Manifest,
    batches,
    ingest,
    load_dataset,
    load_store,
    write_dataset,
)
from microlend.features import build_features
from microlend.simulate import SimulationConfig, simulate

#: Where the batches end: two months each of the six simulated from 2023-01-01.
BOUNDS = (datetime(2023, 3, 1, tzinfo=UTC), datetime(2023, 5, 1, tzinfo=UTC))


@dataclass(frozen=True)
class Market:
    folder: Path
    batch_folders: tuple[Path, ...]
    store: Path
    receipts: tuple[BatchReceipt, ...]


def latest_time(table: pa.Table) -> pa.ChunkedArray | None:
    """Each row's latest timestamp (any timestamp column), or ``None`` for a table without."""
    stamps = [
        table.column(name).cast(pa.int64())
        for name in table.column_names
        if pa.types.is_timestamp(table.schema.field(name).type)
    ]
    if not stamps:
        return None
    latest = stamps[0]
    for other in stamps[1:]:
        latest = pc.max_element_wise(latest, other, skip_nulls=True)
    return latest


def split_by_date(
    tables: Mapping[str, pa.Table], ends: tuple[datetime, ...]
) -> list[dict[str, pa.Table]]:
    """Rows into the first batch whose end is not before any of their times; undated rows
    (and rows dated at the data's end) into the last."""
    cuts = [int(end.timestamp() * 1_000_000) for end in ends]
    parts: list[dict[str, pa.Table]] = [{} for _ in cuts]
    for name, table in tables.items():
        latest = latest_time(table)
        if latest is None:
            parts[-1][name] = table
            continue
        latest = pc.fill_null(latest, cuts[-1])
        low = None
        for k, cut in enumerate(cuts):
            inside = pc.less(latest, cut) if k < len(cuts) - 1 else pc.less_equal(latest, cut)
            if low is not None:
                inside = pc.and_(inside, pc.greater_equal(latest, low))
            parts[k][name] = table.filter(inside)
            low = cut
    return parts


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Market:
    root = tmp_path_factory.mktemp("market")
    run = simulate(SimulationConfig(merchants=200, months=6, seed=5))
    currency = pc.unique(run.tables["orders"].column("currency")).to_pylist()[0]
    folder = root / "folder"
    write_dataset(run.tables, folder, manifest=Manifest(run.end, currency, run.generator))
    ends = (*BOUNDS, run.end)
    folders = []
    for k, part in enumerate(split_by_date(run.tables, ends)):
        folders.append(root / f"batch{k}")
        write_dataset(part, folders[-1], manifest=Manifest(ends[k], currency))
    store = root / "store.duckdb"
    at = datetime(2023, 7, 1, 6, tzinfo=UTC)
    receipts = tuple(ingest(store, batch, at=at) for batch in folders)
    return Market(folder, tuple(folders), store, receipts)


def test_every_row_is_stored_once(market: Market) -> None:
    whole = load_dataset(market.folder)
    added = {name: sum(r.rows.get(name, 0) for r in market.receipts) for name in whole.tables}

    assert added == {name: table.num_rows for name, table in whole.tables.items()}
    assert added["orders"] > 20_000
    assert [r.seq for r in batches(market.store)] == [1, 2, 3]
    assert all(r.rows["orders"] > 0 for r in market.receipts)


def test_the_store_reads_as_the_folder_of_the_same_records(market: Market) -> None:
    whole, stored = load_dataset(market.folder), load_store(market.store)

    assert_same_records(whole, stored)
    assert stored.end == whole.end
    assert stored.currency() == whole.currency()
    assert stored.start() == whole.start()


def test_the_store_as_it_stood_reads_as_the_batches_it_held(market: Market) -> None:
    first = load_dataset(market.batch_folders[0])
    assert_same_records(first, load_store(market.store, end=BOUNDS[0]))
    assert load_store(market.store, end=BOUNDS[1]).end == BOUNDS[1]


@pytest.mark.parametrize("as_of", [date(2023, 4, 15), date(2023, 7, 1)])
def test_features_from_the_store_equal_those_from_the_folder(market: Market, as_of: date) -> None:
    from_folder = build_features(load_dataset(market.folder), as_of=as_of)
    from_store = build_features(load_store(market.store), as_of=as_of)

    assert from_folder.num_rows > 100
    pd.testing.assert_frame_equal(
        from_store.to_pandas().sort_values("merchant_id").reset_index(drop=True),
        from_folder.to_pandas().sort_values("merchant_id").reset_index(drop=True),
        check_exact=True,
    )
