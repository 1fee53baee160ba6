"""What the command line prints is for people and for scripts: in a pipe a table is plain lines
(no 80-column cut), a figure that cannot exist yet is ``n/a`` (never ``nan``), rates are
percentages and money has separators and its currency, and ``features`` warns when asked for a
date long past the records' end."""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from microlend.cli import app
from microlend.data import Dataset

runner = CliRunner()


def test_simulate_in_a_pipe_prints_plain_lines_and_no_nan(tmp_path: Path) -> None:
    # Six months: no loan has matured yet, so there is no default rate and no oracle AUC.
    result = runner.invoke(
        app, ["simulate", "--out", str(tmp_path / "d"), "--merchants", "300", "--months", "6"]
    )
    assert result.exit_code == 0, result.output
    assert "nan" not in result.stdout
    assert "default rate n/a, oracle AUC n/a" in result.stdout
    lines = result.stdout.splitlines()
    assert "table\trows" in lines
    orders = next(line for line in lines if line.startswith("orders\t"))
    # The whole count, with its separators: nothing cut at a terminal's width.
    assert re.fullmatch(r"orders\t\d{1,3}(,\d{3})*", orders), orders


def test_backtest_prints_labels_percentages_and_money(
    small_market_dir: Path, cli_model_dir: Path, tmp_path: Path
) -> None:
    policy = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")
    (tmp_path / "policy.toml").write_text(policy)
    result = runner.invoke(
        app,
        [
            "backtest",
            "--data", str(small_market_dir),
            "--model", str(cli_model_dir),
            "--policy", str(tmp_path / "policy.toml"),
            "--db", f"sqlite:///{tmp_path / 'a.sqlite'}",
            "--start", "2024-11-01",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = dict(line.split("\t", 1) for line in result.stdout.splitlines() if "\t" in line)
    assert "approval_rate" not in result.stdout
    assert re.fullmatch(r"[\d,]+ \(\d+\.\d%\)", rows["approved"]), rows["approved"]
    assert re.fullmatch(r"[\d,]+\.\d\d USD", rows["amount funded"]), rows["amount funded"]
    assert rows["trial balance (must be 0)"] == "0.00 USD"
    funded = int(rows["amount funded"].split(".")[0].replace(",", ""))
    if funded >= 1000:
        assert "," in rows["amount funded"]


def test_features_warns_when_asked_past_the_records_end(
    small_market_dir: Path, small_market: Dataset, tmp_path: Path
) -> None:
    end = small_market.end
    late = (end + timedelta(days=40)).date()
    result = runner.invoke(
        app,
        [
            "features",
            "--data", str(small_market_dir),
            "--as-of", str(late),
            "--out", str(tmp_path / "late.parquet"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"warning: --as-of {late} is" in result.stderr
    assert "after the records end" in result.stderr
    # As of the records' last day: nothing to warn of.
    next_day = end.date()
    quiet = runner.invoke(
        app,
        [
            "features",
            "--data", str(small_market_dir),
            "--as-of", str(next_day),
            "--out", str(tmp_path / "next.parquet"),
        ],
    )  # fmt: skip
    assert quiet.exit_code == 0, quiet.output
    assert "warning" not in quiet.stderr
