"""The lending commands: ``backtest`` replays the records day by day through a policy."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from microlend.cli._app import app, edge, percent_or_na, progress_bar, show
from microlend.cli._options import AsJson, DataFolder, MappingFile, ModelFolder, StoreFile
from microlend.cli._source import records

if TYPE_CHECKING:
    from decimal import Decimal

    from microlend.service import BacktestResult


@app.command()
@edge
def backtest(
    model: ModelFolder,
    policy: Annotated[Path, typer.Option("--policy", help="A policy TOML file.")],
    data: DataFolder = None,
    store: StoreFile = None,
    mapping: MappingFile = None,
    policy_b: Annotated[
        Path | None, typer.Option("--policy-b", help="A second policy, run into its own book.")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="The book's URL (default: SQLite in a temp folder).")
    ] = None,
    db_b: Annotated[
        str | None, typer.Option("--db-b", help="The second policy's book URL.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="First day (default: the model's test window start)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Replay the records day by day from --start: applications decided by the policy, loans
    disbursed, settlements collected, loans aged; print the book's results (side by side with
    --policy-b). The book must be new."""
    import json

    from microlend.dates import parse_date
    from microlend.models import load_artifact
    from microlend.policy import load_policy
    from microlend.service import backtest as run_backtest
    from microlend.service import backtest_start, improver_of, model_version, quiet
    from microlend.store import create_engine_for, migrate

    artifact = load_artifact(model)
    policies = [load_policy(policy)] + ([load_policy(policy_b)] if policy_b else [])
    folder = Path(tempfile.mkdtemp(prefix="microlend-backtest-"))
    urls = [db or f"sqlite:///{folder / 'book_a.sqlite'}"]
    if policy_b:
        urls.append(db_b or f"sqlite:///{folder / 'book_b.sqlite'}")
    engines = [create_engine_for(url) for url in urls]
    for engine in engines:
        migrate(engine)
    first = parse_date(start) if start else backtest_start(artifact.metadata)
    dataset = records(data, store, mapping=mapping)
    with nullcontext(quiet) if as_json else progress_bar() as report:
        results = run_backtest(
            dataset,
            artifact.model,
            policies,
            engines,
            improver=improver_of(artifact),
            start=first,
            model_version=model_version(artifact),
            progress=report,
        )
    if as_json:
        body = [r.to_dict() | {"db": url} for r, url in zip(results, urls, strict=True)]
        typer.echo(json.dumps(body[0] if len(body) == 1 else {"a": body[0], "b": body[1]}))
        return
    _print(results, urls)


def _print(results: Sequence[BacktestResult], urls: Sequence[str]) -> None:
    from rich.table import Table

    table = Table("", *(f"policy {r.policy_version}" for r in results), title="backtest")
    for column in table.columns[1:]:
        column.justify = "right"
    lines = [_backtest_lines(result) for result in results]
    for i, (label, _) in enumerate(lines[0]):
        table.add_row(label, *(line[i][1] for line in lines))
    table.add_row("loan book", *urls)
    show(table)


def _backtest_lines(result: BacktestResult) -> list[tuple[str, str]]:
    """The backtest's figures for people: plain labels, counts with separators, rates as
    percentages, money with its currency (``--json`` keeps the exact machine forms)."""
    from microlend.money import format_money

    def money(amount: Decimal) -> str:
        return format_money(amount, result.currency)

    return [
        ("period", f"{result.start} to {result.end}"),
        ("applications", f"{result.applications:,}"),
        ("approved", f"{result.approved:,} ({percent_or_na(result.approval_rate)})"),
        ("loans funded", f"{result.loans:,}"),
        ("amount funded", money(result.funded_amount)),
        ("loans repaid", f"{result.repaid:,}"),
        ("loans defaulted", f"{result.defaults:,} ({percent_or_na(result.default_rate)})"),
        ("losses", f"{money(result.losses)} ({percent_or_na(result.loss_rate)} of funded)"),
        ("fee income", money(result.fee_income)),
        ("interest income", money(result.interest_income)),
        ("cost of funds", money(result.cost_of_funds)),
        ("net profit", money(result.net_profit)),
        ("capital", money(result.capital)),
        ("trial balance (must be 0)", money(result.trial_balance)),
        ("mean true PD, applications", percent_or_na(result.applications_true_pd, 2)),
        ("mean true PD, funded", percent_or_na(result.funded_true_pd, 2)),
    ]
