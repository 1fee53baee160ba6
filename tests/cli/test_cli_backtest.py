"""``microlend backtest --json`` with two policies: one JSON object, both books balanced."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from microlend.cli import app


def test_backtest_compares_two_policies_as_json(
    small_market_dir: Path, cli_model_dir: Path, tmp_path: Path
) -> None:
    text = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")
    (tmp_path / "a.toml").write_text(text)
    strict = text.replace("min_score = 550", "min_score = 700").replace(
        'version = "default-2026.1"', 'version = "strict"'
    )
    (tmp_path / "b.toml").write_text(strict)
    result = CliRunner().invoke(
        app,
        [
            "backtest",
            "--data", str(small_market_dir),
            "--model", str(cli_model_dir),
            "--policy", str(tmp_path / "a.toml"),
            "--policy-b", str(tmp_path / "b.toml"),
            "--db", f"sqlite:///{tmp_path / 'a.sqlite'}",
            "--db-b", f"sqlite:///{tmp_path / 'b.sqlite'}",
            "--start", "2024-11-01",
            "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["a"]["trial_balance"] == "0.00"
    assert body["b"]["trial_balance"] == "0.00"
    assert body["b"]["policy"] == "strict"
    assert body["b"]["loans"] < body["a"]["loans"]


def test_backtest_needs_an_empty_book(small_market_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["backtest", "--data", str(small_market_dir), "--model", str(tmp_path / "none"),
              "--policy", str(tmp_path / "none.toml")],
    )  # fmt: skip
    assert result.exit_code == 2


def test_backtest_refuses_a_policy_in_another_currency_than_the_records(
    small_market_dir: Path, cli_model_dir: Path, tmp_path: Path
) -> None:
    text = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")
    (tmp_path / "jpy.toml").write_text(text.replace('currency = "USD"', 'currency = "JPY"'))
    result = CliRunner().invoke(
        app,
        [
            "backtest",
            "--data", str(small_market_dir),
            "--model", str(cli_model_dir),
            "--policy", str(tmp_path / "jpy.toml"),
            "--db", f"sqlite:///{tmp_path / 'a.sqlite'}",
            "--start", "2024-11-01",
        ],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "are in USD, but policy 'default-2026.1' lends in JPY" in result.stderr
