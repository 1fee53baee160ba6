"""Platform-store benchmark: features as of a new day from the store's daily aggregates
against a full rebuild from its records, in the same process on the same store.

Simulates a market, ingests its history as one batch and then each of its last days as a
batch of its own (``microlend.data.ingest``, which keeps the daily aggregates current), then
times, as of the day after the last batch, for every merchant:

  (a) ``microlend.features.store_features``: the store's daily aggregates, read in place;
  (b) ``build_features(load_store(store))``: every record read back and reduced again;
  (c) ``build_features`` alone, over the records already in memory.

Prints the ingestion times, the three feature times, the ratios (a) / (b) and (a) / (c), and
checks that (a) and (b) are equal, bit for bit.

    .venv/bin/python benchmarks/bench_store.py --merchants 2000 --months 13
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from microlend.data import Manifest, ingest, load_store, write_dataset
from microlend.features import build_features, store_features
from microlend.simulate import SimulationConfig, simulate

T = TypeVar("T")


def _timed(run: Callable[[], T], runs: int = 1) -> tuple[T, float]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return result, best


def _latest(table: pa.Table) -> pa.Array:
    """Each row's latest time (any timestamp column) in microseconds; null where none."""
    stamps = [table[f.name].cast(pa.int64()) for f in table.schema if pa.types.is_timestamp(f.type)]
    if not stamps:
        return pa.nulls(table.num_rows, pa.int64())
    latest = stamps[0]
    for other in stamps[1:]:
        latest = pc.max_element_wise(latest, other, skip_nulls=True)
    return latest


def split(tables: Mapping[str, pa.Table], ends: list[datetime]) -> list[dict[str, pa.Table]]:
    """Each row into the first batch whose end is not before its latest time (a record never
    comes before one it refers to); undated rows into the last."""
    cuts = [int(end.timestamp() * 1_000_000) for end in ends]
    parts: list[dict[str, pa.Table]] = [{} for _ in cuts]
    for name, table in tables.items():
        latest = pc.fill_null(_latest(table), cuts[-1])
        low = None
        for k, cut in enumerate(cuts):
            inside = pc.less_equal(latest, cut)
            if low is not None:
                inside = pc.and_(inside, pc.greater(latest, low))
            if (part := table.filter(inside)).num_rows:
                parts[k][name] = part
            low = cut
    return parts


def _frame(table: pa.Table) -> pd.DataFrame:
    """By merchant; ``DataFrame.equals`` holds NaN equal to NaN in the same place."""
    return table.to_pandas().sort_values("merchant_id").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=2000)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--days", type=int, default=5, help="daily batches after the history")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=2, help="best of N feature builds")
    args = parser.parse_args()

    config = SimulationConfig(merchants=args.merchants, months=args.months, seed=args.seed)
    run, took = _timed(lambda: simulate(config))
    currency = pc.unique(run.tables["orders"]["currency"]).to_pylist()[0]
    last = datetime.combine(run.end.date(), datetime.min.time(), UTC)
    ends = [last - timedelta(days=d) for d in range(args.days, 0, -1)] + [last]
    print(f"simulated {run.tables['orders'].num_rows:,} orders in {took:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folders = []
        for k, part in enumerate(split(run.tables, ends)):
            folders.append(root / f"batch{k}")
            write_dataset(part, folders[-1], manifest=Manifest(ends[k], currency))
        store, at = root / "store.duckdb", run.end
        ingested = []
        for folder in folders:
            start = time.perf_counter()
            ingest(store, folder, at=at)
            ingested.append(time.perf_counter() - start)
        days = ingested[1:]
        print(f"ingest: history {ingested[0]:.2f} s; each day {min(days):.2f}-{max(days):.2f} s")
        _, replay = _timed(lambda: ingest(store, folders[-1], at=at))
        print(f"ingest: a replayed batch {replay:.3f} s; store {store.stat().st_size / 1e6:.0f} MB")

        as_of = last.date() + timedelta(days=1)
        fresh, t_store = _timed(lambda: store_features(store, as_of=as_of), args.runs)
        rebuilt, t_rebuild = _timed(
            lambda: build_features(load_store(store), as_of=as_of), args.runs
        )
        records = load_store(store)
        _, t_build = _timed(lambda: build_features(records, as_of=as_of), args.runs)
    assert _frame(fresh).equals(_frame(rebuilt)), "the features from the aggregates differ"
    print(f"features of {fresh.num_rows:,} merchants as of {as_of} (best of {args.runs}):")
    print(f"  from the daily aggregates         {t_store:7.2f} s")
    print(f"  full rebuild: load_store + build  {t_rebuild:7.2f} s")
    print(f"  full rebuild: build only          {t_build:7.2f} s")
    print(
        f"aggregates / full rebuild: {t_store / t_rebuild:.2f} "
        f"(build only: {t_store / t_build:.2f}); equal: yes"
    )


if __name__ == "__main__":
    main()
