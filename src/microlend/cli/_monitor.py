"""``microlend monitor``: drift and calibration verdicts of a model, for people and schedulers.

Exit status: 0 when nothing crosses an act threshold (stable, watch, or not enough data for a
verdict), 3 when the score or a top feature has PSI of 0.25 or more (act), 2 on an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from microlend.cli._app import app, console, edge, show
from microlend.cli._options import AsJson, MappingFile
from microlend.cli._source import records
from microlend.errors import ConfigError

if TYPE_CHECKING:
    from microlend.service import ModelMonitor

__all__ = ["EXIT_ACT", "monitor"]

EXIT_ACT = 3


@app.command()
@edge
def monitor(
    model: Annotated[Path, typer.Option("--model", help="Folder of the saved model.")],
    db: Annotated[
        str | None, typer.Option("--db", help="Loan book URL: its decisions are watched.")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Records the model was trained on (the training baseline)."),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="A platform store holding those records (instead of --data)."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy TOML file: the minimum sample of a verdict."),
    ] = None,
    mapping: MappingFile = None,
    as_json: AsJson = False,
) -> None:
    """PSI of the score and top features against training, and calibration by score band.

    The current population is the book's decisions (--db) or, without a book, the applications
    after the training window. Exit status 0 while the verdict is stable or watch, exit status 3
    when the score or a top feature has PSI of 0.25 or more (act), 2 on an error. With fewer
    scored rows (or defaults) than the policy's [monitoring] minimum, a verdict is "not enough
    data (n)".
    """
    from microlend.cli._book import existing_book
    from microlend.models import load_artifact
    from microlend.monitoring import Verdict
    from microlend.policy import default_policy, load_policy
    from microlend.service import book_population, monitor_on_records

    if data is None and store is None:
        raise ConfigError(
            "monitor needs --data or --store: the training baseline is rebuilt from records"
        )
    current = None
    if db is not None:
        engine = existing_book(db)  # watching a book never makes one
        found = book_population(engine)
        engine.dispose()
        current = found if len(found) else None
    minimum = (default_policy() if policy is None else load_policy(policy)).minimum_sample
    result = monitor_on_records(
        load_artifact(model),
        records(data, store, mapping=mapping),
        current=current,
        minimum=minimum,
    )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), default=str))
    else:
        _show(result)
    if result.verdict is Verdict.ACT:
        raise typer.Exit(EXIT_ACT)


def _show(result: ModelMonitor) -> None:
    from microlend.monitoring import verdict_label

    table = Table(title=f"Stability: {result.current} against training")
    for column in ("variable", "PSI", "verdict"):
        table.add_column(column)
    for s in (result.score, *result.features):
        table.add_row(s.name, f"{s.psi:.3f}", verdict_label(s.verdict, s.n))
    show(table)
    bands = Table(title="Calibration by score band (matured applications after training)")
    for column in ("band", "loans", "predicted", "observed"):
        bands.add_column(column)
    for row in result.calibration.itertuples():
        bands.add_row(str(row.band), str(row.loans), f"{row.predicted:.1%}", f"{row.observed:.1%}")
    show(bands)
    calibrated = result.calibrated
    low = ", ".join(calibrated.underestimated)
    shown = verdict_label(calibrated.verdict, calibrated.bads) + (
        f" (PD too low: {low})" if low else ""
    )
    console.print(f"calibration: {shown}")
    console.print(f"verdict: [bold]{verdict_label(result.verdict, result.n_current)}[/]")
