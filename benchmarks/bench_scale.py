"""Feature build and batch scoring on DuckDB and on Spark (local mode) at growing order volumes.

Orders are synthetic (N rows over a year, heavy-tailed across merchants); the other optional
tables are left out so the cost measured is the orders' (the dominant table). Both engines
read the same Parquet folder; DuckDB through the driver's Arrow tables (its normal path), Spark
with spark.read.parquet. Reports rows per second and DuckDB / Spark ratios; checks that both
engines give the same GMV-90d total before printing.

    .venv/bin/python benchmarks/bench_scale.py --rows 1000000 10000000
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from microlend.data import CONTRACT, MONEY_TYPE, TIMESTAMP_TYPE, arrow_schema, load_dataset
from microlend.features import build_features, spark_session
from microlend.models import PDModel
from microlend.service import score_merchants, score_on_spark

AS_OF = date(2024, 1, 1)
_START = int(datetime(2023, 1, 1, tzinfo=UTC).timestamp() * 1_000_000)
_YEAR_US = 365 * 86_400 * 1_000_000


def write_market(root: Path, rows: int, merchants: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    ids = np.array([f"m{i:07d}" for i in range(merchants)])
    weights = rng.pareto(1.5, merchants) + 1
    owner = rng.choice(merchants, size=rows, p=weights / weights.sum())
    root.mkdir(parents=True)
    onboard = np.full(merchants, _START - 30 * 86_400 * 1_000_000, dtype=np.int64)
    merchants_t = pa.table(
        {
            "merchant_id": ids,
            "category": rng.choice(["fashion", "home", "toys", "beauty"], merchants),
            "region": rng.choice(["north", "south"], merchants),
            "onboarded_at": pa.array(onboard, pa.int64()).cast(TIMESTAMP_TYPE),
        }
    )
    pq.write_table(merchants_t, root / "merchants.parquet")
    cents = rng.integers(100, 50_000, rows)
    orders = pa.table(
        {
            "order_id": pa.array(np.arange(rows).astype(str)),
            "merchant_id": ids[owner],
            "buyer_id": pa.array(rng.integers(0, rows // 5 + 1, rows).astype(str)),
            "created_at": pa.array(_START + rng.integers(0, _YEAR_US, rows)).cast(TIMESTAMP_TYPE),
            "amount": pa.array(cents / 100, pa.float64()).cast(MONEY_TYPE),
            "currency": pa.array(["CNY"] * rows),
            "status": rng.choice(["completed", "cancelled"], rows, p=[0.95, 0.05]),
        }
    )
    pq.write_table(orders, root / "orders.parquet", row_group_size=1 << 20)
    for name in CONTRACT.keys() - {"merchants", "orders"}:
        pq.write_table(arrow_schema(name).empty_table(), root / f"{name}.parquet")


def timed(step: str, run):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - began
    print(f"  {step}: {seconds:.1f} s", flush=True)
    return result, seconds


def measure(session: object, rows: int, merchants: int) -> tuple[float, float, float]:
    """Seconds of DuckDB features, DuckDB features+scores, Spark features+scores."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        write_market(root, rows, merchants)
        print(f"{rows:,} order rows, {merchants:,} merchants", flush=True)
        dataset = load_dataset(root, end=datetime(2024, 1, 1, tzinfo=UTC))
        duck, duck_f = timed("duckdb features", lambda: build_features(dataset, as_of=AS_OF))
        frame = duck.to_pandas().set_index("merchant_id").drop(columns=["as_of"])
        target = np.random.default_rng(0).random(len(frame)) < 0.2
        model = PDModel(max_rounds=30).fit(frame, target)
        _, duck_s = timed("duckdb features+scores", lambda: score_merchants(model, dataset, AS_OF))
        feats, scores = Path(tmp) / "features.parquet", Path(tmp) / "scores.parquet"
        _, spark_s = timed(
            "spark features+scores",
            lambda: score_on_spark(session, model, root, AS_OF, scores, features_out=feats),
        )
        spark_gmv = pd.read_parquet(feats)["gmv_90d"].sum()
        assert np.isclose(spark_gmv, frame["gmv_90d"].sum(), rtol=1e-9), "engines disagree"
    return duck_f, duck_s, spark_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--merchants", type=int, default=20_000)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    session = spark_session(args.master, shuffle_partitions=8)
    session.sparkContext.setLogLevel("ERROR")
    lines = [(rows, *measure(session, rows, args.merchants)) for rows in args.rows]
    print(
        "\n| order rows | DuckDB features rows/s | DuckDB features+scores rows/s "
        "| Spark features+scores rows/s | Spark time / DuckDB time |"
    )
    print("|---:|---:|---:|---:|---:|")
    for rows, duck_f, duck_s, spark_s in lines:
        print(
            f"| {rows:,} | {rows / duck_f:,.0f} | {rows / duck_s:,.0f} | {rows / spark_s:,.0f} "
            f"| {spark_s / duck_s:.1f} |"
        )


if __name__ == "__main__":
    main()
