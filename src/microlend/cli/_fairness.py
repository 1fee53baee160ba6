"""``microlend fairness``: a fairness screen of a model and a policy by one merchants column.

Exit status 0 whatever the screen finds (a screen informs, it does not fail a run), 2 on an
error: an unknown column, or fewer than two groups with the minimum sample.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from microlend.cli._app import app, console, edge, number_or_na, percent_or_na, progress_bar, show
from microlend.cli._options import AsJson, DataFolder, MappingFile, ModelFolder, StoreFile
from microlend.cli._source import records

if TYPE_CHECKING:
    from microlend.monitoring import FairnessScreen

__all__ = ["fairness"]


@app.command()
@edge
def fairness(
    model: ModelFolder,
    attribute: Annotated[
        str,
        typer.Option(
            "--attribute",
            help="The merchants column to screen by: region, category, or a column of your own.",
        ),
    ],
    data: DataFolder = None,
    store: StoreFile = None,
    mapping: MappingFile = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy TOML file (default: the built-in policy)."),
    ] = None,
    min_group: Annotated[
        int,
        typer.Option("--min-group", min=1, help="Least applications a group needs to be screened."),
    ] = 100,
    as_json: AsJson = False,
) -> None:
    """Screen the model and the policy for differences between the groups of a merchants column.

    On the applications of the model's out-of-time test window, each decided by the policy as
    for a merchant that owes nothing: approval rate, price (APR) and the adverse impact ratio
    (flagged under 0.8, the four-fifths rule); on the loans with a known outcome, predicted
    against observed default and AUC; and a proxy check: how well the model's features predict
    the column. A screen, not a legal verdict (docs/fairness.md). Exit status 0 whatever it
    flags, 2 on an error.
    """
    from microlend.models import load_artifact
    from microlend.policy import default_policy, load_policy
    from microlend.service import fairness_on_records, quiet

    chosen = default_policy() if policy is None else load_policy(policy)
    artifact = load_artifact(model)
    dataset = records(data, store, mapping=mapping)
    with nullcontext(quiet) if as_json else progress_bar() as report:
        screen = fairness_on_records(
            artifact, dataset, chosen, attribute=attribute, minimum=min_group, progress=report
        )
    if as_json:
        typer.echo(json.dumps(screen.to_dict()))
        return
    _show(screen)


def _show(screen: FairnessScreen) -> None:
    table = Table(title=f"Fairness screen by {screen.attribute} (test window applications)")
    columns = ("group", "applications", "approved", "impact ratio", "mean APR", "mean PD")
    truth = any(g.true_pd is not None for g in screen.groups)  # the simulator's records
    more = ("true PD", "truth ratio") if truth else ()
    for column in (*columns, "loans", "predicted", "observed", "calibration", "AUC", *more):
        table.add_column(column, justify="left" if column in ("group", "calibration") else "right")
    for g in screen.groups:
        flag = " !" if g.miscalibrated_against_truth else ""
        shown = (
            (percent_or_na(g.true_pd, 2), number_or_na(g.truth_ratio, 2) + flag) if truth else ()
        )
        table.add_row(
            g.group,
            f"{g.applications:,}",
            percent_or_na(g.approval_rate),
            number_or_na(g.impact_ratio, 2) + (" !" if g.adverse_impact else ""),
            percent_or_na(g.mean_price),
            percent_or_na(g.mean_pd, 2),
            f"{g.loans:,}",
            percent_or_na(g.predicted, 2),
            percent_or_na(g.observed, 2),
            g.calibration,
            number_or_na(g.auc),
            *shown,
        )
    show(table)
    if screen.too_small:
        left = ", ".join(f"{group} ({n:,})" for group, n in screen.too_small)
        console.print(f"left out, under {screen.minimum:,} applications: {left}", highlight=False)
    proxy = screen.proxy
    top = ", ".join(f"{name} ({auc:.2f})" for name, auc in proxy.top_features)
    console.print(
        f"proxy check: the model's features predict {screen.attribute} with cross-validated "
        f"AUC {proxy.auc:.3f}, balanced accuracy {proxy.balanced_accuracy:.3f} "
        f"(chance {proxy.chance:.3f}); top proxies: {top}",
        highlight=False,
        soft_wrap=True,
    )
    for flag in screen.flags or ("none: no group crosses a threshold",):
        console.print(f"flag: {flag}", highlight=False, soft_wrap=True)
    console.print(screen.notice, highlight=False, soft_wrap=True)
