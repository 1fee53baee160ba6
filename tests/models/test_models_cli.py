"""The train --table and evaluate --table commands, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from models_support import bureau_table
from typer.testing import CliRunner

from microlend.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def table_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("byo") / "loans.csv"
    bureau_table(1500, seed=5).to_csv(path, index=False)
    return path


def test_train_then_evaluate_json(table_file: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    common = ["--table", str(table_file), "--target", "loan_status", "--positive", "Charged Off"]
    trained = runner.invoke(app, ["train", *common, "--out", str(model)])
    assert trained.exit_code == 0, trained.output
    assert "final_grade" in trained.output
    said = " ".join(trained.output.split())  # the console wraps long lines
    assert "cross-validated AUC (stratified folds): linear 0." in said
    assert "chosen:" in said
    assert (model / "preparer.json").is_file()
    evaluated = runner.invoke(app, ["evaluate", "--model", str(model), *common, "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    result = json.loads(evaluated.stdout)
    assert {"auc", "ks", "brier", "n", "bad_rate", "cv_auc"} <= set(result)
    assert result["n"] == 1500
    assert 0.6 < result["cv_auc"] < result["auc"]
    # Every candidate on the same outer folds as cv_auc, and the one saved.
    candidates = result["candidates"]
    assert set(candidates) == {"linear", "scorecard", "lightgbm", "blend"}
    assert result["chosen"] in candidates
    assert sum(c["chosen_in_folds"] for c in candidates.values()) == 5
    assert all(0.5 < c["training_cv_auc"] < 1 for c in candidates.values())
    manifest = json.loads((model / "model.json").read_text())
    assert manifest["kind"] == result["chosen"] == manifest["selection"]["chosen"]
    tests = result["calibration_tests"]
    assert sum(band["n"] for band in tests["bands"]) == 1500
    assert {band["band"] for band in tests["bands"]} <= {
        "excellent",
        "good",
        "fair",
        "weak",
        "poor",
    }
    assert tests["hosmer_lemeshow"]["df"] == 10
    assert tests["ece_pp"] > 0


def test_a_missing_target_is_a_short_error(table_file: Path, tmp_path: Path) -> None:
    args = ["train", "--table", str(table_file), "--target", "default", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "ConfigError" in result.output
    assert "'default'" in result.output
