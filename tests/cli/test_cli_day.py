"""`microlend day` and `microlend run` from the command line: catching up with `run` equals
closing each day with `day`; a bad date, or a day before the last one closed, is one line and
exit status 2 (issue 15, item 3)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from cli_results import ok, one_line_error
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from daily_support import START
from microlend.cli import app
from microlend.data import batches
from microlend.service import prequalified_offers
from microlend.store import DaySteps, create_engine_for, in_transaction

runner = CliRunner()
DAYS = 4


@dataclass(frozen=True)
class Platform:
    inbox: Path
    root: Path


@pytest.fixture(scope="module")
def platform(daily_inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> Platform:
    """The shared inbox, and a folder of this module's own for its books and stores."""
    return Platform(daily_inbox, tmp_path_factory.mktemp("daily_cli"))


def _args(platform: Platform, name: str, model: Path) -> list[str]:
    book = f"sqlite:///{platform.root / f'{name}.db'}"
    store = platform.root / f"{name}.duckdb"
    return [
        "--store",
        str(store),
        "--db",
        book,
        "--model",
        str(model),
        "--inbox",
        str(platform.inbox),
    ]


def _done(session: Session, *, day: date) -> dict[str, Any]:
    return dict(DaySteps(session).done(day))


def _book_state(platform: Platform, name: str) -> dict[str, Any]:
    engine = create_engine_for(f"sqlite:///{platform.root / f'{name}.db'}")
    days = [START + timedelta(days=k) for k in range(DAYS)]
    try:
        return {
            "steps": [in_transaction(engine, partial(_done, day=d)) for d in days],
            "offers": [prequalified_offers(engine, d) for d in days],
        }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def caught_up(platform: Platform, cli_model_dir: Path) -> list[dict[str, Any]]:
    last = START + timedelta(days=DAYS - 1)
    args = _args(platform, "run", cli_model_dir)
    result = ok(
        runner.invoke(app, ["run", *args, "--from", str(START), "--to", str(last), "--json"])
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_run_from_to_equals_day_for_each_date(
    platform: Platform, cli_model_dir: Path, caught_up: list[dict[str, Any]]
) -> None:
    for k in range(DAYS):
        day = START + timedelta(days=k)
        args = _args(platform, "day", cli_model_dir)
        ok(runner.invoke(app, ["day", *args, "--date", str(day)]))

    assert [r["business_date"] for r in caught_up] == [
        str(START + timedelta(days=k)) for k in range(DAYS)
    ]
    by_run, by_day = _book_state(platform, "run"), _book_state(platform, "day")
    assert by_run == by_day
    assert all(len(steps) == 7 for steps in by_run["steps"])
    assert any(by_run["offers"])
    run_batches = [b.batch_id for b in batches(platform.root / "run.duckdb")]
    assert run_batches == [b.batch_id for b in batches(platform.root / "day.duckdb")]
    assert len(run_batches) == DAYS + 1


def test_a_day_again_changes_nothing_and_says_it_was_done(
    platform: Platform, cli_model_dir: Path, caught_up: list[dict[str, Any]]
) -> None:
    args = _args(platform, "run", cli_model_dir)
    before = _book_state(platform, "run")
    again = json.loads(
        ok(runner.invoke(app, ["day", *args, "--date", str(START), "--json"])).stdout
    )
    assert again["resumed"] == list(caught_up[0]["steps"])
    assert again["steps"] == caught_up[0]["steps"]
    assert _book_state(platform, "run") == before


def test_a_bad_date_is_one_line_and_exit_2(platform: Platform, cli_model_dir: Path) -> None:
    args = _args(platform, "bad", cli_model_dir)
    line = one_line_error(runner.invoke(app, ["day", *args, "--date", "2024-13-01"]))
    assert "2024-13-01" in line


def test_a_day_before_the_last_one_closed_is_one_line_and_exit_2(
    platform: Platform, cli_model_dir: Path, caught_up: list[dict[str, Any]]
) -> None:
    args = _args(platform, "run", cli_model_dir)
    earlier = START - timedelta(days=1)
    line = one_line_error(runner.invoke(app, ["day", *args, "--date", str(earlier)]))
    assert f"business day {earlier}" in line
    assert "before" in line


def test_simulate_daily_writes_a_history_and_one_batch_a_day(tmp_path: Path) -> None:
    out = tmp_path / "inbox"
    args = ["simulate-daily", "--out", str(out), "--from", "2023-04-28"]
    ok(runner.invoke(app, [*args, "--merchants", "20", "--months", "4", "--seed", "1"]))
    names = sorted(p.name for p in out.iterdir())
    assert names == ["2023-04-28", "2023-04-29", "2023-04-30", "history"]
    assert (out / "2023-04-29" / "orders.parquet").exists()
