"""``microlend monitor``: drift and calibration verdicts of a model, for people and schedulers.

Exit status: 0 when nothing crosses an act threshold (stable, watch, or not enough data for a
verdict), 3 when the score or a top feature has PSI of 0.25 or more (act), 2 on an error.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from microlend.cli._app import app, console, edge, percent_or_na, show
from microlend.cli._options import AsJson, MappingFile
from microlend.cli._source import records
from microlend.errors import ConfigError

if TYPE_CHECKING:
    from microlend.monitoring import EstimatedPerformance, TradeOff
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
    after the training window. With --db, each vintage's default rate and AUC are also
    estimated from its loans' PDs before they mature, and set beside the realised figures of
    the matured ones (the mean absolute error of past estimates). With fewer scored rows (or
    defaults) than the policy's [monitoring] minimum, a verdict is "not enough data (n)".

    Exit status 0 while the verdict is stable or watch; exit status 3 when the score or a top
    feature has PSI of 0.25 or more (act); 2 on an error.

    With --db it also weighs the policy's cut-off on the book's last 90 days of decisions:
    approval rate, expected default rate, loss and profit at every 50 points of score and at
    the cut-off (every 10 points in --json).
    """
    from microlend.cli._book import existing_book
    from microlend.models import load_artifact
    from microlend.monitoring import Verdict
    from microlend.policy import default_policy, load_policy
    from microlend.service import (
        book_as_of,
        book_population,
        cutoff_tradeoff,
        estimated_book_performance,
        monitor_on_records,
    )

    if data is None and store is None:
        raise ConfigError(
            "monitor needs --data or --store: the training baseline is rebuilt from records"
        )
    current = estimated = tradeoff = None
    chosen = default_policy() if policy is None else load_policy(policy)
    minimum = chosen.minimum_sample
    if db is not None:
        engine = existing_book(db)  # watching a book never makes one
        found = book_population(engine)
        as_of = book_as_of(engine, datetime.now(UTC).date())
        estimated = estimated_book_performance(engine, as_of, minimum)
        tradeoff = cutoff_tradeoff(engine, chosen)  # the book's last 90 days of decisions
        engine.dispose()
        current = found if len(found) else None
    result = monitor_on_records(
        load_artifact(model),
        records(data, store, mapping=mapping),
        current=current,
        minimum=minimum,
    )
    if as_json:
        payload = result.to_dict()
        if estimated is not None:
            payload["estimated_performance"] = estimated.to_dict()
        if tradeoff is not None:
            payload["cutoff_tradeoff"] = tradeoff.to_dict()
        typer.echo(json.dumps(payload, default=str))
    else:
        _show(result)
        if estimated is not None:
            _show_estimated(estimated)
        if tradeoff is not None:
            _show_tradeoff(tradeoff)
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


def _figure(value: float, form: str, interval: tuple[float, float] | None = None) -> str:
    """``value`` (with its interval when both bounds are known); "-" when it is NaN (a young
    vintage's realised figure, or an AUC with one outcome only)."""
    if math.isnan(value):
        return "-"
    shown = format(value, form)
    if interval is None or math.isnan(interval[0]) or math.isnan(interval[1]):
        return shown
    return f"{shown} [{interval[0]:{form}}, {interval[1]:{form}}]"


def _show_estimated(found: EstimatedPerformance) -> None:
    from microlend.monitoring import verdict_label

    if found.vintages.empty:
        console.print("estimated performance: no funded loans with a stored decision yet")
        return
    table = Table(
        title=f"Performance estimated from PDs at origination, as of {found.as_of} "
        f"(a vintage matures {found.horizon_days} days after its last loan)"
    )
    for column in (
        "vintage",
        "loans",
        "est. default",
        "realised",
        "est. AUC",
        "realised",
        "verdict",
    ):
        table.add_column(column)
    for row in found.vintages.to_dict(orient="records"):
        verdict = row["verdict"]
        table.add_row(
            str(row["vintage"]),
            str(row["loans"]),
            _figure(
                row["estimated_default_rate"],
                ".1%",
                (row["default_rate_low"], row["default_rate_high"]),
            ),
            _figure(row["realised_default_rate"], ".1%"),
            _figure(row["estimated_auc"], ".3f", (row["auc_low"], row["auc_high"])),
            _figure(row["realised_auc"], ".3f"),
            verdict_label(verdict, row["defaults"]) if row["matured"] else "young",
        )
    show(table)
    if found.matured:
        console.print(
            f"past estimates: mean absolute error {found.mae_default_rate:.2%} of default rate, "
            f"{found.mae_auc:.3f} of AUC over {found.matured} matured vintages; "
            f"{found.within} realised both within the interval"
        )
    else:
        console.print("past estimates: no vintage has matured yet")


def _show_tradeoff(found: TradeOff) -> None:
    from microlend.money import format_money
    from microlend.service import TRADEOFF_DAYS

    table = Table(
        title=f"Cut-off trade-off: {found.applications} decisions of the last {TRADEOFF_DAYS} "
        f"days, the policy's cut-off {found.current} (docs/policy.md section 8)"
    )
    for column in (
        "cut-off",
        "approved",
        "approval rate",
        "exp. default",
        "exp. loss",
        "exp. profit",
    ):
        table.add_column(column, justify="left" if column == "cut-off" else "right")
    for p in found.points:
        if p.cutoff % 50 and p.cutoff != found.current:
            continue
        table.add_row(
            f"{p.cutoff} (current)" if p.cutoff == found.current else str(p.cutoff),
            f"{p.approved:,}",
            percent_or_na(p.approval_rate if found.applications else None),
            percent_or_na(p.default_rate, 2),
            format_money(p.expected_loss, found.currency),
            format_money(p.expected_profit, found.currency),
        )
    show(table)
