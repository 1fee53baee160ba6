"""The ``microlend`` command line: the one place (with the api) that reads the clock.

Errors from the library are translated here, once: a ``MicrolendError`` prints one or two
lines on stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, ParamSpec, TypeVar

import pyarrow as pa
import typer
from rich.console import Console

from microlend import __version__
from microlend.dates import parse_date
from microlend.errors import ConfigError, MicrolendError

if TYPE_CHECKING:
    from microlend.data import QualityReport

__all__ = ["app", "main"]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="microlend",
    help="Open lending to small online merchants: records -> PD -> score -> offers -> loan book.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

EXIT_ERROR = 2


def edge(func: Callable[P, R]) -> Callable[P, R]:
    """Translate microlend's errors into a short message and exit status 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MicrolendError as exc:
            errors.print(f"[bold red]error:[/] {type(exc).__name__}", highlight=False)
            errors.print(str(exc), markup=False, highlight=False)
            raise typer.Exit(EXIT_ERROR) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        console.print(f"microlend {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details."),
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)


@app.command()
@edge
def features(
    data: Annotated[Path, typer.Option("--data", help="Folder of contract tables.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Features see events before it.")],
    out: Annotated[Path, typer.Option("--out", help="Output file, .parquet or .csv.")],
    engine: Annotated[str, typer.Option("--engine", help="duckdb (embedded) or spark.")] = "duckdb",
) -> None:
    """Point-in-time features of every merchant as of a date, one row per merchant."""
    from microlend.data import load_dataset  # deferred: keeps the other commands' start fast
    from microlend.features import build_features

    if engine not in ("duckdb", "spark"):
        raise ConfigError(f"unknown engine {engine!r}: use duckdb or spark")
    if engine == "spark":
        raise ConfigError("the spark engine is not yet available; use --engine duckdb")
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise ConfigError(f"{out}: the output must end in .parquet or .csv")
    day = parse_date(as_of)
    table = build_features(load_dataset(data, end=None), as_of=day)
    _write_table(table, out)
    console.print(f"{table.num_rows} merchants x {table.num_columns - 2} features -> {out}")


def _write_table(table: pa.Table, out: Path) -> None:
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
) -> None:
    """Simulate the synthetic marketplace (records, loans, outcomes and true PDs) into a folder."""
    from rich.progress import Progress  # deferred: keeps the other commands' start fast
    from rich.table import Table

    from microlend.data import Manifest, write_dataset
    from microlend.simulate import SimulationConfig
    from microlend.simulate import simulate as run_simulation

    if fmt not in ("parquet", "csv"):
        raise ConfigError(f"unknown format {fmt!r}: use parquet or csv")
    config = SimulationConfig(merchants=merchants, months=months, seed=seed)
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
    console.print(rows)
    s = sim.summary
    console.print(
        f"{s.funded:,} of {s.applications:,} applications funded; {s.matured:,} loans matured: "
        f"default rate {s.default_rate:.1%}, oracle AUC {s.oracle_auc:.3f}"
    )
    console.print(f"written to {out}")


@app.command()
@edge
def check(
    data: Annotated[Path, typer.Option("--data", help="Folder of contract tables.")],
    end: Annotated[
        str | None,
        typer.Option("--end", help="The data's end (ISO 8601); default: dataset.json, else now."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Validate a data folder against the contract and report its data quality."""
    import json  # deferred: keeps the other commands' start fast
    from datetime import UTC, datetime

    from microlend.data import load_dataset, quality_report, read_manifest
    from microlend.dates import parse_timestamp

    data_end = parse_timestamp(end) if end else None
    if data_end is None and read_manifest(data) is None:
        data_end = datetime.now(UTC)  # no stated end: nothing may lie in the future
    report = quality_report(load_dataset(data, end=data_end))
    if as_json:
        typer.echo(json.dumps({"contract": "ok", **report.to_dict()}))
    else:
        _print_quality(report)


def _print_quality(report: QualityReport) -> None:
    from rich.table import Table  # deferred: keeps the other commands' start fast

    end = f"{report.end:%Y-%m-%dT%H:%M:%SZ}"
    console.print(f"[green]contract holds[/]: {len(report.tables)} tables, data end {end}")
    tables = Table("table", "rows", "cols", "dup rows", "most missing", "first", "last", "days",
                   "empty days", title="tables")  # fmt: skip
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
    console.print(tables)
    late = Table("late-arriving records", "count", "share", title="late records")
    for row in report.late:
        late.add_row(row.description, f"{row.count:,}", f"{row.share:.2%}")
    console.print(late)
    sample = ", ".join(report.merchants_without_orders_sample)
    idle = f"{report.merchants_without_orders:,}" + (f" ({sample})" if sample else "")
    console.print(f"merchants without orders: {idle}")


@app.command()
@edge
def train(
    out: Annotated[Path, typer.Option("--out", help="Folder to save the model to.")],
    table: Annotated[
        Path | None, typer.Option("--table", help="Your own applicant table, .csv or .parquet.")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="The outcome column of --table.")
    ] = None,
    positive: Annotated[
        str | None, typer.Option("--positive", help="The target's bad value, if not 0/1.")
    ] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder of contract tables.")] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing model.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """Train the PD model on your own table (--table, --target) and save it (no pickle)."""
    from microlend.models import fit_table, labelled_table, read_table, save_model

    path, column = _table_options(table, target, data)
    labelled = labelled_table(read_table(path), column, positive=positive, source=path.name)
    fitted = fit_table(labelled, random_state=seed, data_path=path)
    metadata = {**fitted.metadata, "positive": positive, "trained_at": _now_iso()}
    save_model(fitted.model, out, metadata, preparer=fitted.preparer, overwrite=overwrite)
    for finding in fitted.findings:
        verdict = "dropped" if finding.dropped else "kept"
        console.print(
            f"[yellow]{finding.column}[/] ({verdict}): {finding.message}", highlight=False
        )
    split = f"out-of-time on {fitted.time_column!r}" if fitted.time_column else "stratified random"
    console.print(
        f"{metadata['rows']:,} rows, bad rate {metadata['bad_rate']:.2%}, "
        f"{len(fitted.model.feature_names_)} features; hold-out ({split}) "
        f"AUC {fitted.model.holdout_auc_:.3f} -> {out}"
    )


@app.command()
@edge
def evaluate(
    model: Annotated[Path, typer.Option("--model", help="A folder written by train.")],
    table: Annotated[
        Path | None, typer.Option("--table", help="A labelled table, .csv or .parquet.")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="The outcome column of --table.")
    ] = None,
    positive: Annotated[
        str | None, typer.Option("--positive", help="The target's bad value, if not 0/1.")
    ] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder of contract tables.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Evaluate a saved model on a labelled table: AUC, KS, Brier, calibration (and cv_auc)."""
    import json

    from microlend.models import evaluate_table, labelled_table, load_artifact, read_table

    path, column = _table_options(table, target, data)
    artifact = load_artifact(model)
    labelled = labelled_table(read_table(path), column, positive=positive, source=path.name)
    result = evaluate_table(artifact, labelled)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        _print_evaluation(result)


def _table_options(table: Path | None, target: str | None, data: Path | None) -> tuple[Path, str]:
    if data is not None:
        raise ConfigError("--data (merchant records) is not yet available here; use --table")
    if table is None or target is None:
        raise ConfigError("give the table and its outcome: --table FILE --target COLUMN")
    return table, target


def _now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


def _print_evaluation(result: dict[str, object]) -> None:
    from rich.table import Table  # deferred: keeps the other commands' start fast

    metrics = Table("metric", "value", title="evaluation")
    for key in ("n", "bad_rate", "mean_pd", "auc", "gini", "ks", "brier", "cv_auc", "cv_auc_std"):
        value = result.get(key)
        if isinstance(value, float):
            metrics.add_row(key, f"{value:.4f}")
        elif value is not None:
            metrics.add_row(key, str(value))
    console.print(metrics)
    deciles = Table("decile", "n", "mean PD", "observed", title="calibration by decile of PD")
    bins = result.get("calibration")
    for row in bins if isinstance(bins, list) else []:
        deciles.add_row(
            str(row["decile"]), str(row["n"]), f"{row['mean_pd']:.2%}", f"{row['observed']:.2%}"
        )
    console.print(deciles)


def main() -> None:
    app()
