"""A simulated market ingested as three batches by date reads back as its whole folder: the same
tables, and the same features built from them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from data_factory import BatchedMarket, assert_same_records, batched_market

from microlend.data import batches, load_dataset, load_store
from microlend.features import build_features
from microlend.simulate import SimulationConfig

#: Where the batches end: two months each of the six simulated from 2023-01-01.
BOUNDS = (datetime(2023, 3, 1, tzinfo=UTC), datetime(2023, 5, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> BatchedMarket:
    root = tmp_path_factory.mktemp("market")
    config = SimulationConfig(merchants=200, months=6, seed=5)
    return batched_market(root, config, BOUNDS, at=datetime(2023, 7, 1, 6, tzinfo=UTC))


def test_every_row_is_stored_once(market: BatchedMarket) -> None:
    whole = load_dataset(market.folder)
    added = {name: sum(r.rows.get(name, 0) for r in market.receipts) for name in whole.tables}

    assert added == {name: table.num_rows for name, table in whole.tables.items()}
    assert added["orders"] > 20_000
    assert [r.seq for r in batches(market.store)] == [1, 2, 3]
    assert all(r.rows["orders"] > 0 for r in market.receipts)


def test_the_store_reads_as_the_folder_of_the_same_records(market: BatchedMarket) -> None:
    whole, stored = load_dataset(market.folder), load_store(market.store)

    assert_same_records(whole, stored)
    assert stored.end == whole.end
    assert stored.currency() == whole.currency()
    assert stored.start() == whole.start()


def test_the_store_as_it_stood_reads_as_the_batches_it_held(market: BatchedMarket) -> None:
    first = load_dataset(market.batches[0])
    assert_same_records(first, load_store(market.store, end=BOUNDS[0]))
    assert load_store(market.store, end=BOUNDS[1]).end == BOUNDS[1]


@pytest.mark.parametrize("as_of", [date(2023, 4, 15), date(2023, 7, 1)])
def test_features_from_the_store_equal_those_from_the_folder(
    market: BatchedMarket, as_of: date
) -> None:
    from_folder = build_features(load_dataset(market.folder), as_of=as_of)
    from_store = build_features(load_store(market.store), as_of=as_of)

    assert from_folder.num_rows > 100
    pd.testing.assert_frame_equal(
        from_store.to_pandas().sort_values("merchant_id").reset_index(drop=True),
        from_folder.to_pandas().sort_values("merchant_id").reset_index(drop=True),
        check_exact=True,
    )
