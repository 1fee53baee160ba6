"""Feature build and batch scoring on DuckDB and on Spark (local mode) at growing order volumes.

Orders are synthetic (N rows over a year, heavy-tailed across merchants), written to Parquet
in chunks of two million rows; the other tables are empty, so the cost measured is the orders'
(the dominant table). Both engines read the same Parquet folder: DuckDB through the driver's
validated Arrow tables (its normal path; the load and validation are timed apart), Spark with
spark.read.parquet inside its timing. Reports rows per second and the Spark / DuckDB time
ratio; checks that both engines give the same GMV-90d total before printing.

    .venv/bin/python benchmarks/bench_scale.py --rows 1000000 10000000 50000000
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from dataclasses import dataclass
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
_CHUNK_ROWS = 2_000_000


def write_market(root: Path, rows: int, merchants: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    ids = np.array([f"m{i:07d}" for i in range(merchants)])
    weights = rng.pareto(1.5, merchants) + 1
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
    schema = arrow_schema("orders")
    # Written chunk by chunk: 50 million rows held at once would need several GiB of NumPy
    # text before Arrow even sees them.
    with pq.ParquetWriter(root / "orders.parquet", schema) as writer:
        for start in range(0, rows, _CHUNK_ROWS):
            stop = min(rows, start + _CHUNK_ROWS)
            owners = ids[_owners(rng, weights, stop - start)]
            chunk = _orders(rng, np.arange(start, stop), owners, buyers=rows // 5 + 1)
            writer.write_table(pa.Table.from_arrays(chunk, schema=schema), 1 << 20)
    for name in CONTRACT.keys() - {"merchants", "orders"}:
        pq.write_table(arrow_schema(name).empty_table(), root / f"{name}.parquet")


def _owners(rng: np.random.Generator, weights: np.ndarray, rows: int) -> np.ndarray:
    """Heavy-tailed merchant of each order."""
    return rng.choice(len(weights), size=rows, p=weights / weights.sum())


def _orders(
    rng: np.random.Generator, numbers: np.ndarray, owners: np.ndarray, *, buyers: int
) -> list[pa.Array]:
    """One chunk's orders columns, in the contract's order; ``numbers`` make the order ids."""
    rows = len(numbers)
    cents = rng.integers(100, 50_000, rows)
    return [
        pa.array(numbers.astype(str)),
        pa.array(owners),
        pa.array(rng.integers(0, buyers, rows).astype(str)),
        pa.array(_START + rng.integers(0, _YEAR_US, rows)).cast(TIMESTAMP_TYPE),
        pa.array(cents / 100, pa.float64()).cast(MONEY_TYPE),
        pa.repeat(pa.scalar("CNY"), rows),
        pa.array(rng.choice(["completed", "cancelled"], rows, p=[0.95, 0.05])),
    ]


@dataclass(frozen=True)
class Step:
    """One timed step: wall seconds, CPU seconds of this process tree, and the machine's load."""

    wall: float
    cpu: float
    load: float


def cpu_seconds() -> float:
    """CPU time of this process and every process under it (Spark's JVM, its Python workers).

    On a shared box wall time swings with other people's work; CPU time much less so. Reads
    /proc (Linux); a process that exits between the listing and the read is skipped.
    """
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # After the name: state, ppid, ... utime (12th), stime, cutime, cstime.
            stats[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    tree = {os.getpid()}
    for _ in range(8):  # deep enough for python -> java -> pyspark daemon -> worker
        tree |= {pid for pid, (parent, _) in stats.items() if parent in tree}
    ticks = sum(stats[pid][1] for pid in tree if pid in stats)
    return ticks / os.sysconf("SC_CLK_TCK")


def timed(step: str, run):  # type: ignore[no-untyped-def]
    began, cpu_began = time.perf_counter(), cpu_seconds()
    result = run()
    wall, cpu = time.perf_counter() - began, cpu_seconds() - cpu_began
    load = os.getloadavg()[0]
    print(f"  {step}: {wall:.1f} s wall, {cpu:.1f} s CPU, load {load:.1f}", flush=True)
    return result, Step(wall, cpu, load)


@dataclass(frozen=True)
class Measured:
    """Each step at one volume."""

    rows: int
    duck_load: Step
    duck_features: Step
    duck_scores: Step
    spark_scores: Step


def measure(session: object, rows: int, merchants: int) -> Measured:
    """Time DuckDB features, DuckDB features+scores and Spark features+scores on one market."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        write_market(root, rows, merchants)
        print(f"{rows:,} order rows, {merchants:,} merchants", flush=True)
        model, gmv, duck = _on_duckdb(root)
        feats, scores = Path(tmp) / "features.parquet", Path(tmp) / "scores.parquet"
        _, spark = timed(
            "spark features+scores",
            lambda: score_on_spark(session, model, root, AS_OF, scores, features_out=feats),
        )
        spark_gmv = pd.read_parquet(feats)["gmv_90d"].sum()
        assert np.isclose(spark_gmv, gmv, rtol=1e-9), "engines disagree"
    return Measured(rows, *duck, spark)


def _on_duckdb(root: Path) -> tuple[PDModel, float, tuple[Step, Step, Step]]:
    """A model fitted on DuckDB's features, their GMV-90d total, and the DuckDB steps.

    The loaded tables are dropped on return, so Spark does not run beside them in memory.
    """
    dataset, load = timed(
        "duckdb load+validate", lambda: load_dataset(root, end=datetime(2024, 1, 1, tzinfo=UTC))
    )
    duck, features = timed("duckdb features", lambda: build_features(dataset, as_of=AS_OF))
    frame = duck.to_pandas().set_index("merchant_id").drop(columns=["as_of"])
    target = np.random.default_rng(0).random(len(frame)) < 0.2
    model = PDModel(max_rounds=30).fit(frame, target)
    _, scores = timed("duckdb features+scores", lambda: score_merchants(model, dataset, AS_OF))
    return model, float(frame["gmv_90d"].sum()), (load, features, scores)


def report(lines: list[Measured]) -> None:
    print(
        "\n| order rows | DuckDB features rows/s | DuckDB features+scores rows/s "
        "| Spark features+scores rows/s | Spark time / DuckDB time |"
    )
    print("|---:|---:|---:|---:|---:|")
    for m in lines:
        duck_f, duck_s, spark_s = m.duck_features.wall, m.duck_scores.wall, m.spark_scores.wall
        print(
            f"| {m.rows:,} | {m.rows / duck_f:,.0f} | {m.rows / duck_s:,.0f} "
            f"| {m.rows / spark_s:,.0f} | {spark_s / duck_s:.1f} |"
        )
    print(
        "\n| order rows | DuckDB features CPU s | DuckDB features+scores CPU s "
        "| Spark features+scores CPU s | Spark CPU / DuckDB CPU | DuckDB load+validate s |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for m in lines:
        duck_f, duck_s, spark_s = m.duck_features.cpu, m.duck_scores.cpu, m.spark_scores.cpu
        print(
            f"| {m.rows:,} | {duck_f:.1f} | {duck_s:.1f} | {spark_s:.1f} "
            f"| {spark_s / duck_s:.1f} | {m.duck_load.wall:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--merchants", type=int, default=20_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g", help="Spark driver JVM heap")
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    conf = {"spark.driver.memory": args.driver_memory}
    session = spark_session(args.master, shuffle_partitions=args.shuffle_partitions, conf=conf)
    session.sparkContext.setLogLevel("ERROR")
    print(f"spark {session.version} on {args.master}, driver heap {args.driver_memory}", flush=True)
    report([measure(session, rows, args.merchants) for rows in args.rows])


if __name__ == "__main__":
    main()
