"""The feature builder on Apache Spark: the same Ibis expressions, read and written by Spark.

Spark reads the data folder's Parquet files itself (``spark.read.parquet``), from a local path
or any URI Hadoop reads (``s3a://``, ``hdfs://``, ``abfss://``, ``file://``), and writes the
features as a Parquet folder; only the merchants table (for the spine) and the spine itself
pass through the driver, as on DuckDB. ``master`` is a Spark master URL (``local[2]``,
``spark://host:7077``, ``yarn``...) or a Spark Connect URL (``sc://host:15002``).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from microlend.data import CONTRACT
from microlend.errors import ConfigError
from microlend.features._builder import FeaturePlan, plan_features
from microlend.features._spark_storage import child, folder_entries, spark_location

__all__ = ["SparkFeatures", "spark_features", "spark_session", "spark_tables"]

log = logging.getLogger(__name__)

_FEATURES_VIEW = "microlend_features"


def spark_session(
    master: str,
    *,
    app_name: str = "microlend",
    shuffle_partitions: int | None = None,
    conf: Mapping[str, str] | None = None,
) -> Any:
    """A Spark session on ``master``, its SQL time zone UTC (the contract's times are UTC).

    ``conf``: further Spark settings (``spark.driver.memory``...); those read when the JVM
    starts only take effect in the first session of a process.
    """
    from pyspark.sql import SparkSession  # deferred: the JVM start is for Spark users only

    builder = SparkSession.builder.appName(app_name)
    if master.startswith("sc://"):
        builder = builder.remote(master)
    else:
        builder = builder.master(master).config("spark.ui.showConsoleProgress", "false")
    if master.startswith("local"):
        # Local workers must run this interpreter (its LightGBM), not the first python3 found;
        # PySpark reads the worker's interpreter from the environment only.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.executorEnv.PYTHONPATH", _package_root())
        builder = builder.config("spark.ui.enabled", "false")
    builder = builder.config("spark.sql.session.timeZone", "UTC")
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _package_root() -> str:
    """The folder holding ``microlend``, for local workers when it is not installed."""
    return str(Path(__file__).resolve().parents[2])


def spark_tables(session: Any, data: str | os.PathLike[str]) -> dict[str, ir.Table]:
    """The contract tables of a Parquet data folder, read by Spark, as Ibis tables.

    ``data``: a local path or any URI Spark reads (``s3a://bucket/records``, ``hdfs://``,
    ``abfss://``, ``file://``). The folder and its tables are looked up through Hadoop's
    FileSystem, never on the driver's disk. A table is ``<name>.parquet``: one file, or a
    folder of part files (as Spark writes). Raises ``NotFoundError`` for a missing folder,
    ``ConfigError`` for a location Spark cannot reach, and ``DataContractError`` naming file and
    column where a required table or column is missing, a file is not Parquet, or a column's
    type cannot hold its contract kind; only the Parquet footers are read, never the rows.
    """
    from microlend.features._spark_contract import read_contract_tables  # deferred: pyspark

    root = spark_location(data)
    entries = folder_entries(session, root)
    files = {
        name: child(root, f"{name}.parquet")
        for name in CONTRACT
        if entries is None or f"{name}.parquet" in entries
    }
    if not files and any(entry.lower().endswith(".csv") for entry in entries or ()):
        raise ConfigError(f"{root}: the spark engine reads Parquet folders; write it as Parquet")
    frames = read_contract_tables(session, files, absent_ok=entries is None)
    con = ibis.pyspark.connect(session)
    tables = {}
    for name, frame in frames.items():
        view = f"microlend_{name}"
        frame.createOrReplaceTempView(view)
        tables[name] = con.table(view)
    return tables


@dataclass(frozen=True)
class SparkFeatures:
    """Features as a Spark DataFrame (``frame``): ``merchant_id``, ``as_of``, then ``names``.

    Rows follow the spine's order. ``plan`` is kept alive with the frame: Ibis drops the
    temporary views of its in-memory tables (the spine) once their expressions are gone.
    """

    frame: Any
    names: list[str]
    plan: FeaturePlan


def spark_features(
    session: Any, tables: Mapping[str, ir.Table], as_of: date, features: Sequence[str] | None = None
) -> SparkFeatures:
    """Every merchant onboarded before ``as_of``, its features as of that date, on Spark."""
    con = ibis.pyspark.connect(session)
    plan = plan_features(tables, as_of=as_of, features=features, backend=con)
    spine = ibis.memtable(_numbered(plan.spine))
    if plan.expr is None:
        values = {name: ibis.literal(float("nan")) for name in plan.names}
        out = spine.mutate(**values)
    else:
        joined = spine.join(plan.expr, "_row")
        # Undefined features are NaN, never null, exactly as build_features returns them.
        out = joined.mutate(**{n: joined[n].fill_null(float("nan")) for n in plan.names})
    ordered = out.order_by("_row").select("merchant_id", "as_of", *plan.names)
    con.create_view(_FEATURES_VIEW, ordered, overwrite=True)
    log.info("spark: %d features for %d merchants", len(plan.names), plan.spine.num_rows)
    return SparkFeatures(session.table(_FEATURES_VIEW), plan.names, plan)


def _numbered(spine: pa.Table) -> pa.Table:
    rows = pa.array(range(spine.num_rows), pa.int64())
    return spine.select(["merchant_id", "as_of"]).append_column("_row", rows)
