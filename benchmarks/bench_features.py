"""Feature-build benchmark: our Ibis builder against one hand-written DuckDB query.

Generates a seeded synthetic orders table (default 20 million rows over two years, plus a small
merchants table) as Parquet in a temporary folder, then times, for every merchant as of one
date, the GMV / orders / average-order-value aggregates over the 30/90/180/365-day windows:

  (a) ``microlend.features.build_features`` (Ibis -> DuckDB, reading the Parquet files), and
  (b) one hand-written DuckDB SQL query with ``FILTER`` clauses over the same files.

Prints both times and their ratio (target: builder <= 1.5 x query) and checks they agree.

    .venv/bin/python benchmarks/bench_features.py --orders 2000000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from microlend.data import MONEY_TYPE, TIMESTAMP_TYPE
from microlend.features import build_features

AS_OF = date(2025, 1, 1)
DAYS = 730
FEATURES = [
    "gmv_30d", "gmv_90d", "gmv_180d", "gmv_365d",
    "orders_30d", "orders_90d", "orders_365d", "aov_90d", "aov_365d",
]  # fmt: skip

QUERY = """
SELECT merchant_id,
  coalesce(sum(amount) FILTER (WHERE created_at >= $since_30), 0) AS gmv_30d,
  coalesce(sum(amount) FILTER (WHERE created_at >= $since_90), 0) AS gmv_90d,
  coalesce(sum(amount) FILTER (WHERE created_at >= $since_180), 0) AS gmv_180d,
  coalesce(sum(amount), 0) AS gmv_365d,
  count(*) FILTER (WHERE created_at >= $since_30) AS orders_30d,
  count(*) FILTER (WHERE created_at >= $since_90) AS orders_90d,
  count(*) AS orders_365d,
  gmv_90d / nullif(orders_90d, 0) AS aov_90d,
  gmv_365d / nullif(orders_365d, 0) AS aov_365d
FROM read_parquet($orders)
WHERE status <> 'cancelled'
  AND created_at >= $since_365 AND created_at < $as_of
GROUP BY merchant_id
"""


def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pa.array(numbers).cast(pa.string()), "")


def generate(folder: Path, n_orders: int, n_merchants: int, seed: int) -> None:
    """Write merchants.parquet and orders.parquet: heavy-tailed merchant sizes, two years."""
    rng = np.random.default_rng(seed)
    start = np.datetime64(AS_OF - timedelta(days=DAYS), "us")
    onboarded = start - rng.integers(0, 365, n_merchants).astype("timedelta64[D]")
    merchants = pa.table(
        {
            "merchant_id": _ids("m", np.arange(n_merchants)),
            "category": pa.array(rng.choice(["toys", "books", "home", "fashion"], n_merchants)),
            "region": pa.array(["EU"] * n_merchants),
            "onboarded_at": pa.array(onboarded, TIMESTAMP_TYPE),
        }
    )
    pq.write_table(merchants, folder / "merchants.parquet")
    weight = rng.pareto(1.5, n_merchants) + 0.1
    merchant = rng.choice(n_merchants, n_orders, p=weight / weight.sum())
    micros = np.sort(rng.integers(0, DAYS * 86_400_000_000, n_orders))
    cents = np.round(rng.lognormal(3.5, 0.8, n_orders), 2)
    status = np.where(rng.random(n_orders) < 0.05, "cancelled", "completed")
    orders = pa.table(
        {
            "order_id": _ids("o", np.arange(n_orders)),
            "merchant_id": merchants["merchant_id"].take(merchant),
            "buyer_id": _ids("b", rng.integers(0, n_orders // 4 + 1, n_orders)),
            "created_at": pa.array(start + micros.astype("timedelta64[us]"), TIMESTAMP_TYPE),
            "amount": pc.cast(pa.array(cents), MONEY_TYPE, safe=False),
            "currency": pa.array(["EUR"] * n_orders),
            "status": pa.array(status),
        }
    )
    pq.write_table(orders, folder / "orders.parquet", row_group_size=1_000_000)


def _best(runs: int, work):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return min(times), result


def run_builder(folder: Path, threads: int) -> pa.Table:
    con = ibis.duckdb.connect(threads=threads)
    tables = {
        "merchants": con.read_parquet(folder / "merchants.parquet"),
        "orders": con.read_parquet(folder / "orders.parquet"),
    }
    return build_features(tables, as_of=AS_OF, features=FEATURES, backend=con)


def run_query(folder: Path, threads: int) -> pa.Table:
    con = duckdb.connect(config={"threads": threads})
    end = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)
    params: dict[str, object] = {"as_of": end, "orders": str(folder / "orders.parquet")}
    params |= {f"since_{d}": end - timedelta(days=d) for d in (30, 90, 180, 365)}
    return con.sql(QUERY, params=params).to_arrow_table()


def _check(built: pa.Table, queried: pa.Table) -> None:
    """Both compute the same totals (the builder also lists merchants without sales)."""
    for name in ("gmv_365d", "orders_90d"):
        a = pc.sum(built[name]).as_py()
        b = float(pc.sum(queried[name].cast(pa.float64())).as_py())
        if abs(a - b) > 1e-6 * max(abs(b), 1):
            raise SystemExit(f"builder and query disagree on {name}: {a} vs {b}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000_000)
    parser.add_argument("--merchants", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        generate(folder, args.orders, args.merchants, args.seed)
        print(f"generated {args.orders:,} orders in {time.perf_counter() - began:.1f} s")
        builder_s, built = _best(args.runs, lambda: run_builder(folder, args.threads))
        query_s, queried = _best(args.runs, lambda: run_query(folder, args.threads))
    _check(built, queried)
    for label, seconds in (("builder (Ibis -> DuckDB)", builder_s), ("hand-written SQL", query_s)):
        print(f"{label:<25}: {seconds:.3f} s ({args.orders / seconds / 1e6:.1f} M rows/s)")
    print(f"{'ratio builder / query':<25}: {builder_s / query_s:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
