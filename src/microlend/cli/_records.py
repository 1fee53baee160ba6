"""Commands on records: simulate, check, features."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from microlend.cli._app import (
    app,
    console,
    edge,
    number_or_na,
    percent_or_na,
    progress_bar,
    show,
    warn,
)
from microlend.cli._options import (
    AsJson,
    DataFolder,
    DataLocation,
    EngineName,
    MappingFile,
    OutLocation,
    SparkMaster,
    StoreFile,
)
from microlend.cli._source import folder_only, local_path, records
from microlend.dates import parse_date
from microlend.errors import ConfigError
from microlend.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from microlend.data import QualityReport


@app.command()
@edge
def features(
    as_of: Annotated[str, typer.Option("--as-of", help="Features see events before it.")],
    out: OutLocation,
    data: DataLocation = None,
    store: StoreFile = None,
    mapping: MappingFile = None,
    engine: EngineName = "duckdb",
    spark_master: SparkMaster = None,
) -> None:
    """Point-in-time features of every merchant as of a date, one row per merchant.

    With --engine spark, Spark reads the folder's Parquet files (--data: a path or any URI
    Spark reads, s3a:// or hdfs:// included) and writes --out as a Parquet folder of part files.
    """
    # deferred: keeps the other commands' start fast
    from microlend.features import build_features, store_features

    if engine == "spark":
        folder = folder_only(data, store, "the spark engine", mapping)
        _features_on_spark(as_of, out, folder, spark_master)
        return
    target = local_path(out, "--out")
    check_engine(engine, target)
    check_output(target)
    day = parse_date(as_of)
    if store is not None and data is None and mapping is None:
        from microlend.data import batches

        # From the store's daily aggregates, which ingest keeps current: not from every order.
        table = store_features(store, as_of=day)
        ends = [receipt.end for receipt in batches(store)]
        _warn_past_end(day, max(ends) if ends else None)
    else:
        dataset = records(local_path(data, "--data"), store, mapping=mapping)
        table = build_features(dataset, as_of=day)
        _warn_past_end(day, dataset.end)
    write_table(table, target)
    console.print(f"{table.num_rows} merchants x {table.num_columns - 2} features -> {target}")


def _features_on_spark(as_of: str, out: str, data: str, master: str | None) -> None:
    """``features --engine spark``: ``data`` and ``out`` are locations Spark reads and writes
    (paths or URIs), looked at by Spark alone: the driver's disk may hold neither."""
    from microlend.features import spark_features, spark_session, spark_tables

    if not out.rstrip("/").lower().endswith(".parquet"):
        raise ConfigError(f"{out}: the spark engine writes Parquet; end --out in .parquet")
    day = parse_date(as_of)
    session = spark_session(master or Settings.from_env().spark_master)
    built = spark_features(session, spark_tables(session, data), day)
    built.frame.write.mode("overwrite").parquet(out)
    merchants = built.plan.spine.num_rows
    console.print(f"{merchants} merchants x {len(built.names)} features on spark -> {out}")


def _warn_past_end(day: date, end: datetime | None) -> None:
    """Features as of a day long after the records end see no sales in their last days: the
    merchant looks as if it stopped selling. As of the day after the end sees every record."""
    if end is None:
        return
    last_day = end.date() if end.time() == time(0) else end.date() + timedelta(days=1)
    if day > last_day:
        gap = (day - last_day).days
        warn(
            f"--as-of {day} is {gap} day{'s' if gap != 1 else ''} after the records end "
            f"({end:%Y-%m-%d %H:%M} UTC): "
            "the windows reaching past the end see no activity there"
        )


def check_engine(engine: str, out: Path) -> None:
    """``duckdb`` or ``spark``; Spark writes Parquet folders only."""
    if engine not in ("duckdb", "spark"):
        raise ConfigError(f"unknown engine {engine!r}: use duckdb or spark")
    if engine == "spark" and out.suffix.lower() != ".parquet":
        raise ConfigError(f"{out}: the spark engine writes Parquet; end --out in .parquet")


def check_output(out: Path) -> None:
    """Refuse an output file of a kind we cannot write, before any work is done."""
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise ConfigError(f"{out}: the output must end in .parquet or .csv")


def write_table(table: pa.Table, out: Path) -> None:
    """Write .parquet or .csv atomically: a temporary file beside ``out``, then a rename."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if out.suffix.lower() == ".csv":
            pa_csv.write_csv(table, tmp)
        else:
            pq.write_table(table, tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


@app.command()
@edge
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the tables to.")],
    merchants: Annotated[int, typer.Option("--merchants", help="Number of merchants.")] = 20_000,
    months: Annotated[int, typer.Option("--months", help="Months of records.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the folder.")] = False,
    group_attribute: Annotated[
        str | None,
        typer.Option(
            "--group-attribute",
            help="Add merchants column owner_group, linked to risk or unlinked "
            "(to prove microlend fairness; docs/fairness.md).",
        ),
    ] = None,
) -> None:
    """Simulate the synthetic marketplace (records, loans, outcomes and true PDs) into a folder."""
    from rich.progress import Progress  # deferred: keeps the other commands' start fast
    from rich.table import Table

    from microlend.data import Manifest, write_dataset
    from microlend.simulate import SimulationConfig
    from microlend.simulate import simulate as run_simulation

    if fmt not in ("parquet", "csv"):
        raise ConfigError(f"unknown format {fmt!r}: use parquet or csv")
    config = SimulationConfig(
        merchants=merchants, months=months, seed=seed, group_attribute=group_attribute
    )
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("simulating", total=1.0)
        sim = run_simulation(
            config, lambda stage, done: bar.update(task, completed=done, description=stage)
        )
        bar.update(task, description="writing")
        manifest = Manifest(end=sim.end, currency=config.currency, generator=sim.generator)
        kind: Literal["parquet", "csv"] = "csv" if fmt == "csv" else "parquet"
        write_dataset(sim.tables, out, fmt=kind, manifest=manifest, overwrite=overwrite)
    rows = Table("table", "rows", title=f"data end {sim.end:%Y-%m-%d}")
    for name, count in sim.summary.rows.items():
        rows.add_row(name, f"{count:,}")
    show(rows)
    s = sim.summary
    console.print(
        f"{s.funded:,} of {s.applications:,} applications funded; {s.matured:,} loans matured: "
        f"default rate {percent_or_na(s.default_rate)}, oracle AUC {number_or_na(s.oracle_auc)}"
    )
    console.print(f"written to {out}")


@app.command()
@edge
def check(
    data: DataFolder = None,
    store: StoreFile = None,
    end: Annotated[
        str | None,
        typer.Option("--end", help="The data's end (ISO 8601); default: dataset.json, else now."),
    ] = None,
    mapping: MappingFile = None,
    as_json: AsJson = False,
) -> None:
    """Validate a data folder (or a store) against the contract and report its data quality.

    With --mapping, the folder is a platform's own export, read through the mapping file
    (docs/own-data.md); errors name the export's file and column.
    """
    import json  # deferred: keeps the other commands' start fast
    from datetime import UTC, datetime

    from microlend.data import quality_report, read_manifest
    from microlend.dates import parse_timestamp

    data_end = parse_timestamp(end) if end else None
    if data_end is None and data is not None and read_manifest(data) is None:
        data_end = datetime.now(UTC)  # no stated end: nothing may lie in the future
    # A bar per step on the console, like the other long commands; none in --json output.
    with nullcontext(None) if as_json else progress_bar() as progress:
        dataset = records(data, store, end=data_end, progress=progress, mapping=mapping)
        report = quality_report(dataset, progress=progress)
    if as_json:
        typer.echo(json.dumps({"contract": "ok", **report.to_dict()}))
    else:
        _print_quality(report)


@app.command()
@edge
def ingest(
    store: Annotated[
        Path, typer.Option("--store", help="The platform store, a DuckDB file (made if new).")
    ],
    batch: Annotated[
        Path, typer.Option("--from", help="A batch: a folder of any contract tables.")
    ],
    end: Annotated[
        str | None,
        typer.Option(
            "--end", help="The batch's data end (ISO 8601); default: dataset.json, else now."
        ),
    ] = None,
    mapping: MappingFile = None,
    as_json: AsJson = False,
) -> None:
    """Add a batch of records (CSV or Parquet, any contract tables) to a platform store.

    The batch is checked against the contract and against the store (keys already stored,
    references to stored merchants and orders, nothing dated in a closed day) and stored whole
    or not at all; the same batch again adds nothing and prints its first receipt. Commands
    that take --data read the store with --store. docs/store.md tells the rules. With
    --mapping, the batch is a platform's own export, read through the mapping file
    (docs/own-data.md).
    """
    import json  # deferred: keeps the other commands' start fast
    from datetime import UTC, datetime

    from microlend.data import ingest as ingest_batch
    from microlend.data import load_mapping
    from microlend.dates import parse_timestamp

    receipt = ingest_batch(
        store,
        batch,
        at=datetime.now(UTC),
        end=parse_timestamp(end) if end else None,
        mapping=load_mapping(mapping) if mapping is not None else None,
    )
    if as_json:
        typer.echo(json.dumps(receipt.to_dict()))
        return
    rows = ", ".join(f"{name} {count:,}" for name, count in sorted(receipt.rows.items()))
    verb = "already stored as" if receipt.already else "stored as"
    console.print(
        f"{batch}: {verb} batch {receipt.seq} ({receipt.batch_id[:12]}), {rows or 'no rows'}; "
        f"data end {receipt.end:%Y-%m-%dT%H:%M:%SZ} -> {store}",
        highlight=False,
    )


def _print_quality(report: QualityReport) -> None:
    from rich.table import Table  # deferred: keeps the other commands' start fast

    end = f"{report.end:%Y-%m-%dT%H:%M:%SZ}"
    console.print(f"[green]contract holds[/]: {len(report.tables)} tables, data end {end}")
    tables = Table("table", "rows", "cols", "dup rows", "most missing", "first", "last", "days",
                   "empty days", title="tables")  # fmt: skip
    tables.columns[0].no_wrap = True  # a file name is what a reader looks for: never cut it
    for t in report.tables:
        column, rate = max(t.missing.items(), key=lambda item: item[1], default=("", 0.0))
        cov = t.coverage
        tables.add_row(
            t.file, f"{t.rows:,}", str(t.columns), f"{t.duplicate_rows:,}",
            f"{column} {rate:.1%}" if rate else "-",
            f"{cov.first:%Y-%m-%d}" if cov and cov.first else "-",
            f"{cov.last:%Y-%m-%d}" if cov and cov.last else "-",
            str(cov.days) if cov else "-", str(cov.days_without_records) if cov else "-",
        )  # fmt: skip
    show(tables)
    late = Table("late-arriving records", "count", "share", title="late records")
    for row in report.late:
        late.add_row(row.description, f"{row.count:,}", f"{row.share:.2%}")
    show(late)
    sample = ", ".join(report.merchants_without_orders_sample)
    idle = f"{report.merchants_without_orders:,}" + (f" ({sample})" if sample else "")
    console.print(f"merchants without orders: {idle}")
