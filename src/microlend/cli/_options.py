"""The options several commands take, each defined once (same flag, same help, same default)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = [
    "DEFAULT_DB",
    "AsJson",
    "BookUrl",
    "DataFolder",
    "DataLocation",
    "EngineName",
    "MappingFile",
    "ModelFolder",
    "OutFile",
    "OutLocation",
    "SparkMaster",
    "StoreFile",
]

#: The loan book a command uses when it names none.
DEFAULT_DB = "sqlite:///microlend.db"

# Merchant records come from a folder or from a platform store: one of the two (``_source``).
DataFolder = Annotated[
    Path | None, typer.Option("--data", help="Folder of contract tables (or give --store).")
]
# Text, not a Path: a Path folds a URI's "//" into "/" (s3a://bucket -> s3a:/bucket).
DataLocation = Annotated[
    str | None,
    typer.Option(
        "--data",
        help="Folder of contract tables (or give --store); with --engine spark, also any URI "
        "Spark reads: s3a://, hdfs://, abfss://, file://.",
    ),
]
StoreFile = Annotated[
    Path | None,
    typer.Option("--store", help="A platform store grown by microlend ingest (instead of --data)."),
]
MappingFile = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        help="A TOML file mapping a platform's own export onto the contract (docs/own-data.md).",
    ),
]
ModelFolder = Annotated[Path, typer.Option("--model", help="A folder written by train --data.")]
OutFile = Annotated[Path, typer.Option("--out", help="Output file, .parquet or .csv.")]
OutLocation = Annotated[
    str,
    typer.Option(
        "--out", help="Output file, .parquet or .csv; with --engine spark, a .parquet path or URI."
    ),
]
EngineName = Annotated[str, typer.Option("--engine", help="duckdb (embedded) or spark.")]
SparkMaster = Annotated[
    str | None,
    typer.Option(
        "--spark-master", help="Spark master or sc:// URL; default MICROLEND_SPARK_MASTER."
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
BookUrl = Annotated[str, typer.Option("--db", help="Loan book database URL.")]
