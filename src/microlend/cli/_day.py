"""``microlend day`` and ``microlend run``: close a business day, or catch up day by day.

A day is resumable and idempotent (``service.close_business_day``): run again, it finishes what
an error stopped and changes nothing once done. An error prints one line naming the day and the
step it stopped at, and exits with status 2; ``run`` stops at the first.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from microlend.cli._app import _fail, app, console, edge, show
from microlend.cli._options import DEFAULT_DB, AsJson, BookUrl, ModelFolder
from microlend.errors import ConfigError, MicrolendError

if TYPE_CHECKING:
    from microlend.service import DayReport

__all__ = ["day", "run_days"]

StoreRequired = Annotated[
    Path, typer.Option("--store", help="The platform store (created by the first ingestion).")
]
Inbox = Annotated[
    Path | None,
    typer.Option("--inbox", help="A folder of batch folders waiting (YYYY-MM-DD for a day's)."),
]
PolicyFile = Annotated[
    Path | None, typer.Option("--policy", help="Policy TOML file (default: the bundled one).")
]


@app.command()
@edge
def day(
    store: StoreRequired,
    model: ModelFolder,
    on: Annotated[str, typer.Option("--date", help="The business day to close, YYYY-MM-DD.")],
    db: BookUrl = DEFAULT_DB,
    inbox: Inbox = None,
    policy: PolicyFile = None,
    as_json: AsJson = False,
) -> None:
    """Close a business day: ingest what waits in --inbox, close the store's day, rate every
    merchant, refresh the pre-qualified offers, collect from the day's settlements, end of day,
    monitoring. Run again, it resumes where an error stopped it, and changes nothing once done."""
    from microlend.dates import parse_date

    first = parse_date(on)
    _days(store, db, model, first, first, inbox, policy, as_json)


@app.command("run")
@edge
def run_days(
    store: StoreRequired,
    model: ModelFolder,
    start: Annotated[str, typer.Option("--from", help="The first day to close, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="The last day to close, YYYY-MM-DD.")],
    db: BookUrl = DEFAULT_DB,
    inbox: Inbox = None,
    policy: PolicyFile = None,
    as_json: AsJson = False,
) -> None:
    """Catch up: close every business day from --from to --to in turn, as `day` does each;
    the first error stops it (exit status 2), naming the day and the step."""
    from microlend.dates import parse_date

    first, last = parse_date(start), parse_date(end)
    if last < first:
        raise ConfigError(f"--to {last} is before --from {first}")
    _days(store, db, model, first, last, inbox, policy, as_json)


def _days(
    store: Path,
    db: str,
    model: Path,
    first: date,
    last: date,
    inbox: Path | None,
    policy_file: Path | None,
    as_json: bool,
) -> None:
    from microlend.cli._book import migrated_book
    from microlend.policy import default_policy, load_policy
    from microlend.service import close_business_day

    policy = default_policy() if policy_file is None else load_policy(policy_file)
    engine = migrated_book(db)
    current = first
    try:
        while current <= last:
            try:
                report = close_business_day(
                    store, engine, model, policy, current, at=datetime.now(UTC), inbox=inbox
                )
            except (MicrolendError, OSError) as error:
                where = [n for n in getattr(error, "__notes__", ()) if n.startswith("business")]
                prefix = where[0] if where else f"business day {current}"
                _fail(type(error).__name__, f"{prefix}: {error}")
            _print(report, as_json)
            current += timedelta(days=1)
    finally:
        engine.dispose()


def _print(report: DayReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_dict()))
        return
    table = Table(title=f"Business day {report.business_date}")
    for column in ("step", "done", "what"):
        table.add_column(column)
    for step, found in report.steps.items():
        done = "before" if step in report.resumed else "now"
        table.add_row(step, done, _summary(found))
    show(table)
    console.print(f"{report.business_date}: closed")


def _summary(found: Any) -> str:
    """A step's report on one line: its scalar values (lists by their length)."""
    parts = []
    for key, value in dict(found).items():
        if isinstance(value, list | dict):
            value = len(value)
        parts.append(f"{key} {value}")
    return ", ".join(parts)


@app.command("simulate-daily")
@edge
def simulate_daily(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the batch folders to.")],
    start: Annotated[str, typer.Option("--from", help="The first day exported alone.")],
    merchants: Annotated[int, typer.Option("--merchants", help="Number of merchants.")] = 20_000,
    months: Annotated[int, typer.Option("--months", help="Months of records.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 0,
) -> None:
    """Simulate the marketplace and write it as a platform exports it: history/ (every record
    before --from) and one folder a day, YYYY-MM-DD, to the records' end: an inbox for `day`."""
    from microlend.dates import parse_date
    from microlend.simulate import SimulationConfig, daily_batches, simulate

    first = parse_date(start)
    config = SimulationConfig(merchants=merchants, months=months, seed=seed)
    sim = simulate(config)
    folders = daily_batches(sim.tables, out, start=first, end=sim.end, currency=config.currency)
    console.print(f"{len(folders) - 1} daily batches and the history written to {out}")
