"""``microlend check`` benchmark: loading, every contract rule and the quality report of a data
folder, against only reading the same Parquet files with pyarrow, in one process.

Prints both times, their ratio, and the process's peak resident memory (issue 16, item 3:
the demo's records checked in under 15 s and 1.5 GB). Run it on the demo's folder:

    .venv/bin/python benchmarks/bench_check.py demo-out/data
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import pyarrow.parquet as pq

from microlend.data import load_dataset, quality_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a data folder of Parquet files")
    folder = parser.parse_args().folder
    started = time.perf_counter()
    rows = sum(pq.read_table(path).num_rows for path in sorted(folder.glob("*.parquet")))
    read = time.perf_counter() - started
    started = time.perf_counter()
    report = quality_report(load_dataset(folder))
    checked = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB -> MiB
    print(f"{rows:,} rows in {len(report.tables)} tables")
    print(f"pyarrow read alone: {read:.1f} s; load_dataset + quality_report: {checked:.1f} s")
    print(f"ratio: {checked / read:.1f} x reading; peak RSS of the process: {peak_mb:,.0f} MiB")


if __name__ == "__main__":
    main()
