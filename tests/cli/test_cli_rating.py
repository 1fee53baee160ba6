"""The rating commands end to end: train --data, evaluate --data --json, score, demo."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from microlend.cli import app
from microlend.features import feature_names
from microlend.models import load_artifact

runner = CliRunner()


@dataclass(frozen=True)
class Trained:
    model: Path
    output: str


@pytest.fixture(scope="module")
def trained(small_market_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """One ``train --data`` run: evaluated by one test, scored with by another."""
    model = tmp_path_factory.mktemp("rating") / "model"
    result = runner.invoke(app, ["train", "--data", str(small_market_dir), "--out", str(model)])
    assert result.exit_code == 0, result.output
    return Trained(model, result.output)


def test_train_then_evaluate_on_records(small_market_dir: Path, trained: Trained) -> None:
    assert "tested out of time" in trained.output
    assert load_artifact(trained.model).challenger is not None
    evaluated = runner.invoke(
        app, ["evaluate", "--model", str(trained.model), "--data", str(small_market_dir), "--json"]
    )
    assert evaluated.exit_code == 0, evaluated.output
    result = json.loads(evaluated.stdout)
    for key in ("auc", "ks", "brier", "n", "bad_rate", "scorecard_auc", "oracle_auc"):
        assert key in result
    assert 0.5 < result["auc"] <= 1
    assert result["n"] == load_artifact(trained.model).metadata.n_test


def test_score_writes_every_merchant(
    small_market_dir: Path, trained: Trained, tmp_path: Path
) -> None:
    out = tmp_path / "scores.csv"
    args = [
        "score",
        "--model",
        str(trained.model),
        "--data",
        str(small_market_dir),
        "--as-of",
        "2024-06-01",
    ]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    reasons = {f"reason_{n}{part}" for n in range(1, 5) for part in ("_code", "_value", "")}
    assert {"merchant_id", "pd", "score", "band", "sub_stability", *reasons} <= set(table.columns)
    assert set(table["reason_1_code"].dropna()) <= set(feature_names())
    assert table["score"].between(350, 950).all()
    assert table["merchant_id"].is_unique


def test_train_without_data_or_table_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "--data" in result.output
    assert "Traceback" not in result.output


def test_demo_runs_the_whole_path(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--merchants", "1500", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for words in ("Out-of-time test", "oracle (true PD)", "Calibration by decile", "merchant M"):
        assert words in result.output
    assert (out / "report.html").stat().st_size > 20_000
    assert load_artifact(out / "model").metadata.kind == "merchant_records"


def test_a_demo_too_short_to_label_any_loan_is_a_clear_error(tmp_path: Path) -> None:
    # Lending starts some months in and a loan is labelled a year after it is paid out.
    out = tmp_path / "demo"
    args = ["demo", "--merchants", "300", "--months", "12", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "ModelError" in result.output
    assert "365 days after it is paid out" in result.output
    assert "Traceback" not in result.output
