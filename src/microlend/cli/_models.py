"""Commands on models: train, evaluate, score."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from microlend.cli._app import app, console, edge, progress_bar, show
from microlend.cli._options import (
    AsJson,
    DataFolder,
    EngineName,
    MappingFile,
    ModelFolder,
    OutFile,
    SparkMaster,
    StoreFile,
)
from microlend.cli._source import folder_only, records
from microlend.errors import ConfigError
from microlend.types import quiet as silent

if TYPE_CHECKING:
    from datetime import date, datetime

    from microlend.data import Dataset
    from microlend.models import PDModel
    from microlend.types import Progress

# The two sources a model learns from: merchant records (--data or --store) or one table.
TableOption = Annotated[
    Path | None, typer.Option("--table", help="An applicant-level table, .csv or .parquet.")
]
TargetOption = Annotated[
    str | None, typer.Option("--target", help="The outcome column of --table.")
]
PositiveOption = Annotated[
    str | None, typer.Option("--positive", help="The target's bad value, if not 0/1.")
]


@app.command()
@edge
def train(
    out: Annotated[Path, typer.Option("--out", help="Folder to save the model to.")],
    table: TableOption = None,
    target: TargetOption = None,
    positive: PositiveOption = None,
    data: DataFolder = None,
    store: StoreFile = None,
    mapping: MappingFile = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing model.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """Train the PD model on merchant records (--data or --store) or on your own table (--table,
    --target).

    With --data or --store: features at each funded application's date, trained on the earlier
    applications and tested on the later ones (out of time); the scorecard challenger is saved
    beside the model. With --table: four candidates (a regularised logistic regression, a WoE
    scorecard, LightGBM sized to the table and their blend) are compared on five folds of the
    table (time-ordered when it has a date column) and the first within 0.002 AUC of the best,
    in the order linear, LightGBM, blend, scorecard, is saved, with every candidate's figure.
    The model folder holds no pickle.
    """
    from microlend.models import fit_table, labelled_table, read_table, save_model

    if data is not None or store is not None:
        dataset = records(data, store, mapping=mapping)
        _train_on_records(dataset, out, seed=seed, overwrite=overwrite)
        return
    path, column = _table_options(table, target)
    labelled = labelled_table(read_table(path), column, positive=positive, source=path.name)
    fitted = fit_table(labelled, random_state=seed, data_path=path)
    metadata = fitted.metadata.trained(_now(), positive=positive)
    save_model(
        fitted.model,
        out,
        metadata,
        preparer=fitted.preparer,
        selection=fitted.selection,
        overwrite=overwrite,
    )
    facts = metadata.table
    assert facts is not None, "fit_table records the table's facts"
    for finding in fitted.findings:
        verdict = "dropped" if finding.dropped else "kept"
        console.print(
            f"[yellow]{finding.column}[/] ({verdict}): {finding.message}", highlight=False
        )
    selection = fitted.selection
    folds = f"time-ordered on {fitted.time_column!r}" if fitted.time_column else "stratified"
    figures = ", ".join(f"{c.name} {c.auc:.3f}" for c in selection.candidates)
    console.print(
        f"{facts.rows:,} rows, bad rate {facts.bad_rate:.2%}, "
        f"{len(fitted.model.feature_names_)} features; cross-validated AUC ({folds} folds): "
        f"{figures}; chosen: {selection.chosen} -> {out}",
        highlight=False,
    )


CardOption = Annotated[
    Path | None,
    typer.Option(
        "--card", help="Where to write the model card (default: model_card.md in --model)."
    ),
]


@app.command()
@edge
def evaluate(
    model: Annotated[Path, typer.Option("--model", help="A folder written by train.")],
    table: TableOption = None,
    target: TargetOption = None,
    positive: PositiveOption = None,
    data: DataFolder = None,
    store: StoreFile = None,
    mapping: MappingFile = None,
    card: CardOption = None,
    as_json: AsJson = False,
) -> None:
    """Evaluate a saved model: AUC, Gini, KS, Brier, calibration by decile and its tests; write
    its model card.

    With --data or --store: on the out-of-time test applications of the records (plus
    scorecard_auc, and oracle_auc when the data carries the simulator's truth). With --table: on
    a labelled table, plus, when it has no time column, cv_auc from nested 5-fold
    cross-validation of the whole recipe (preparer and model selection refit on each fold) and,
    under candidates, each candidate's AUC on the same folds, how many folds chose it and its
    figure at training; chosen names the saved model's kind.

    calibration_tests: per score band the Jeffreys and the one-sided binomial test (a band is
    rejected when either p-value is under 5 %: its PD is too low), the Hosmer-Lemeshow test
    over deciles of PD, and the expected calibration error in percentage points.

    The model card (model_card.md beside the model, or --card FILE) words the same figures in
    Markdown: purpose, data and windows, features, candidates and choice, metrics, calibration
    tests, stability and known limits. It is written atomically (a temporary file, then a
    rename), replacing an older card; a folder it cannot be written to is an error (exit 2)
    before any work. --json adds its path as model_card.
    """
    import json

    from microlend.dashboard import MODEL_CARD, check_writable, write_model_card
    from microlend.models import labelled_table, load_artifact, read_table

    artifact = load_artifact(model)
    where = card or model / MODEL_CARD
    check_writable(where, elsewhere=_elsewhere(card))
    if data is not None or store is not None:
        from microlend.service import evaluate_on_records

        dataset = records(data, store, mapping=mapping)
        with _quiet_if(as_json) as report:
            result = evaluate_on_records(artifact, dataset, progress=report)
    else:
        from microlend.service import evaluate_on_table

        path, column = _table_options(table, target)
        labelled = labelled_table(read_table(path), column, positive=positive, source=path.name)
        result = evaluate_on_table(artifact, labelled, path)
    write_model_card(result, where, model=model, at=_now())
    if as_json:
        typer.echo(json.dumps({**result.to_dict(), "model_card": str(where)}))
    else:
        _print_evaluation(result.to_dict())
        console.print(f"model card -> {where}", highlight=False)


def _elsewhere(card: Path | None) -> str:
    if card is None:
        return "make the model folder writable, or give --card FILE to write the card elsewhere"
    return "give --card a file in a folder you can write to"


def _table_options(table: Path | None, target: str | None) -> tuple[Path, str]:
    if table is None or target is None:
        raise ConfigError(
            "give --data DIR or --store FILE (merchant records), or --table FILE --target COLUMN"
        )
    return table, target


@contextmanager
def _quiet_if(quiet: bool) -> Iterator[Progress]:
    """A progress bar, unless stdout must carry nothing but the JSON object."""
    if quiet:
        yield silent
        return
    with progress_bar() as report:
        yield report


def _train_on_records(dataset: Dataset, out: Path, *, seed: int, overwrite: bool) -> None:
    from microlend.service import fit_rating, save_rating

    with progress_bar() as report:
        fit = fit_rating(dataset, seed=seed, progress=report)
    save_rating(fit, out, metadata=fit.metadata.trained(_now()), overwrite=overwrite)
    e = fit.evaluation
    oracle = f", oracle AUC {e.oracle_auc:.3f}" if e.oracle_auc is not None else ""
    console.print(
        f"trained on {len(fit.train):,} loans, tested out of time on {len(fit.test):,}: "
        f"AUC {e.auc:.3f} (scorecard {fit.scorecard_evaluation.auc:.3f}{oracle}), "
        f"mean PD {e.mean_pd:.2%} vs observed {e.bad_rate:.2%} -> {out}"
    )


@app.command()
@edge
def score(
    model: ModelFolder,
    as_of: Annotated[str, typer.Option("--as-of", help="Score as of this date (YYYY-MM-DD).")],
    out: OutFile,
    data: DataFolder = None,
    store: StoreFile = None,
    mapping: MappingFile = None,
    engine: EngineName = "duckdb",
    spark_master: SparkMaster = None,
) -> None:
    """Score every merchant as of a date: PD, score, band, sub-scores and top four reasons.

    Each reason N of 1 to 4 is three columns: reason_N_code (the feature), reason_N_value (its
    value) and reason_N (what the merchant is told, amounts in the data's currency).

    With --engine spark, features and scores are computed on Spark from the folder's Parquet
    files (--data) and --out is written as a Parquet folder of part files.
    """
    import pyarrow as pa

    from microlend.cli._records import check_engine, check_output, write_table
    from microlend.dates import parse_date
    from microlend.models import load_artifact
    from microlend.service import improver_of, score_merchants

    check_engine(engine, out)
    check_output(out)
    day = parse_date(as_of)
    artifact = load_artifact(model)
    fitted, improver = artifact.model, improver_of(artifact)
    # Reasons lie beyond the training medians saved with the model (none in an older model).
    references = None if improver is None else improver.references_
    if engine == "spark":
        folder = folder_only(data, store, "the spark engine", mapping)
        _score_on_spark(fitted, folder, day, out, spark_master, references)
        return
    dataset = records(data, store, mapping=mapping)
    with progress_bar() as report:
        report("score every merchant", 0.0)
        table = score_merchants(fitted, dataset, day, references=references)
        report("score every merchant", 1.0)
    write_table(pa.Table.from_pandas(table, preserve_index=False), out)
    bands = table["band"].value_counts()
    console.print(f"{len(table):,} merchants scored as of {day} -> {out}")
    console.print(", ".join(f"{band}: {count:,}" for band, count in bands.items()))


def _score_on_spark(
    fitted: PDModel,
    data: Path,
    day: date,
    out: Path,
    spark_master: str | None,
    references: Mapping[str, float] | None,
) -> None:
    from microlend.features import spark_session
    from microlend.service import score_on_spark
    from microlend.settings import Settings

    session = spark_session(spark_master or Settings.from_env().spark_master)
    result = score_on_spark(session, fitted, data, day, out, references=references)
    console.print(f"{result.rows:,} merchants scored as of {day} on spark -> {out}")
    console.print(", ".join(f"{band}: {count:,}" for band, count in sorted(result.bands.items())))


def _now() -> datetime:
    from datetime import UTC, datetime

    # Whole seconds, as model.json has always shown its training time.
    return datetime.now(UTC).replace(microsecond=0)


def _print_evaluation(result: dict[str, object]) -> None:
    from rich.table import Table  # deferred: keeps the other commands' start fast

    metrics = Table("metric", "value", title="evaluation")
    for key in ("n", "bad_rate", "mean_pd", "auc", "gini", "ks", "brier", "cv_auc", "cv_auc_std"):
        value = result.get(key)
        if isinstance(value, float):
            metrics.add_row(key, f"{value:.4f}")
        elif value is not None:
            metrics.add_row(key, str(value))
    show(metrics)
    candidates = result.get("candidates")
    if isinstance(candidates, dict):
        _print_candidates(candidates, result.get("chosen"))
    deciles = Table("decile", "n", "mean PD", "observed", title="calibration by decile of PD")
    bins = result.get("calibration")
    for row in bins if isinstance(bins, list) else []:
        deciles.add_row(
            str(row["decile"]), str(row["n"]), f"{row['mean_pd']:.2%}", f"{row['observed']:.2%}"
        )
    show(deciles)
    tests = result.get("calibration_tests")
    if isinstance(tests, dict):
        _print_calibration_tests(tests)


def _print_candidates(candidates: dict[str, Any], chosen: object) -> None:
    from rich.table import Table

    listing = Table(
        "candidate",
        "cv_auc",
        "cv_auc_std",
        "folds chose it",
        "training cv_auc",
        title=f"model selection (saved: {chosen})",
    )

    def shown(value: object) -> str:
        return f"{value:.4f}" if isinstance(value, float) else "-"

    for name, c in candidates.items():
        listing.add_row(
            name + (" (saved)" if name == chosen else ""),
            shown(c.get("cv_auc")),
            shown(c.get("cv_auc_std")),
            str(c.get("chosen_in_folds", "-")),
            shown(c.get("training_cv_auc")),
        )
    show(listing)


def _print_calibration_tests(tests: dict[str, Any]) -> None:
    from rich.table import Table

    bands = Table(
        "band",
        "n",
        "defaults",
        "mean PD",
        "observed",
        "Jeffreys p",
        "binomial p",
        "verdict",
        title="calibration tests by score band (one-sided: is the PD too low?)",
    )
    for b in tests["bands"]:
        verdict = "rejected" if b["rejected"] else "accepted"
        bands.add_row(
            b["band"],
            str(b["n"]),
            str(b["defaults"]),
            f"{b['mean_pd']:.2%}",
            f"{b['observed']:.2%}",
            f"{b['jeffreys_p']:.3f}",
            f"{b['binomial_p']:.3f}",
            verdict,
        )
    show(bands)
    hl = tests["hosmer_lemeshow"]
    console.print(
        f"Hosmer-Lemeshow {hl['statistic']:.2f} on {hl['df']} degrees of freedom "
        f"(p {hl['p_value']:.3f}); expected calibration error {tests['ece_pp']:.2f} "
        "percentage points"
    )
