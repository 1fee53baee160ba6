"""``evaluate`` writes the model card beside the model, on records and on a table: every
section, the figures of ``evaluate --json``, written atomically; a folder it cannot write to
is an error before any work."""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from models_support import bureau_table
from typer.testing import CliRunner

from microlend.cli import app
from microlend.models import fit_table, labelled_table, read_table, save_model
from microlend.service import RatingFit

runner = CliRunner()

SECTIONS = (
    "## Purpose",
    "## Data and windows",
    "## Features",
    "## Candidates and choice",
    "## Calibration tests",
    "## Stability",
    "## Known limits",
)
TABLE_ARGS = ["--target", "loan_status", "--positive", "Charged Off"]


def _figure(card: str, measure: str) -> float:
    """The first number of the metrics table's row ``measure``."""
    found = re.search(rf"^\| {re.escape(measure)} \| ([0-9,.]+)", card, re.M)
    assert found is not None, f"no row {measure!r} in the card"
    return float(found[1].replace(",", ""))


def _check_card(card: str, result: dict[str, object]) -> None:
    """Every section, nothing left blank, and the JSON's figures (at the card's precision)."""
    for heading in SECTIONS:
        assert heading in card
    assert "|  |" not in card  # no empty table cell
    assert "| |" not in card
    for measure, key in (("AUC", "auc"), ("Gini", "gini"), ("KS", "ks"), ("Brier score", "brier")):
        value = result[key]
        assert isinstance(value, float)
        assert _figure(card, measure) == pytest.approx(value, abs=5e-5)
    tests = result["calibration_tests"]
    assert isinstance(tests, dict)
    defaults = sum(band["defaults"] for band in tests["bands"])
    assert _figure(card, "defaults") == defaults
    for band in tests["bands"]:
        verdict = "rejected" if band["rejected"] else "accepted"
        row = f"| {band['band']} | {band['n']:,} | {band['defaults']:,} | "
        assert row in card
        assert f"| {band['jeffreys_p']:.3f} | {band['binomial_p']:.3f} | {verdict} |" in card
    hl = tests["hosmer_lemeshow"]
    assert f"{hl['statistic']:.2f} on {hl['df']} degrees of freedom" in card
    ece = re.search(r"Expected calibration error: ([0-9.]+) percentage points", card)
    assert ece is not None
    assert float(ece[1]) == pytest.approx(tests["ece_pp"], abs=5e-3)


@pytest.fixture(scope="module")
def table_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("card") / "loans.csv"
    bureau_table(1500, seed=5).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def table_model(table_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    labelled = labelled_table(read_table(table_file), "loan_status", positive="Charged Off")
    fitted = fit_table(labelled, data_path=table_file)
    folder = tmp_path_factory.mktemp("card") / "model"
    return save_model(
        fitted.model,
        folder,
        fitted.metadata,
        preparer=fitted.preparer,
        selection=fitted.selection,
    )


def test_evaluate_on_records_writes_the_card_with_the_json_figures(
    small_fit: RatingFit, small_market_dir: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    save_model(small_fit.model, model, small_fit.metadata, challenger=small_fit.scorecard)
    before = {p.name: p.read_bytes() for p in model.iterdir()}
    args = ["evaluate", "--model", str(model), "--data", str(small_market_dir), "--json"]
    evaluated = runner.invoke(app, args)
    assert evaluated.exit_code == 0, evaluated.output
    result = json.loads(evaluated.stdout)
    assert result["model_card"] == str(model / "model_card.md")
    card = (model / "model_card.md").read_text(encoding="utf-8")
    _check_card(card, result)
    assert "## Out-of-time metrics" in card
    assert "No model selection was run" in card
    assert f"| {result['n']:,} |" in card
    assert _figure(card, "oracle AUC (gap)") == pytest.approx(result["oracle_auc"], abs=5e-5)
    assert f"| {result['scorecard_auc']:.4f} |" in card  # the challenger's row
    assert "Left truncation" in card
    # Only the card was added: the model's files are as they were, and no temporary is left.
    assert {p.name: p.read_bytes() for p in model.iterdir() if p.name in before} == before
    assert sorted(p.name for p in model.iterdir()) == sorted([*before, "model_card.md"])


def test_evaluate_on_a_table_writes_the_card_and_says_it_is_in_sample(
    table_model: Path, table_file: Path
) -> None:
    args = ["evaluate", "--model", str(table_model), "--table", str(table_file), *TABLE_ARGS]
    evaluated = runner.invoke(app, [*args, "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    result = json.loads(evaluated.stdout)
    card = Path(result["model_card"]).read_text(encoding="utf-8")
    _check_card(card, result)
    assert "## Metrics on the evaluated table" in card
    assert f"{result['cv_auc']:.4f} ± {result['cv_auc_std']:.4f}" in card
    # Every candidate's nested figure and its figure at training, the saved one marked.
    assert "The candidates' settings are fixed by rule" in card
    for name, c in result["candidates"].items():
        row = f"{c['training_cv_auc']:.4f} | {c['cv_auc']:.4f} ± {c['cv_auc_std']:.4f} | "
        assert (
            f"{row}{c['chosen_in_folds']} | {'saved' if name == result['chosen'] else 'compared'} |"
            in card
        )
    assert "the very file the model was trained on" in card
    assert "in-sample" in card
    assert not list(table_model.glob(".*.tmp"))
    # Without --json the same card is rewritten (replaced whole) and its path printed.
    printed = runner.invoke(app, args)
    assert printed.exit_code == 0, printed.output
    assert "model card ->" in printed.output
    assert Path(result["model_card"]).read_text(encoding="utf-8").count("## Purpose") == 1


# prctl(PR_CAPBSET_DROP, ...) and the capabilities that let root write through permission bits.
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_FOWNER = 1, 3


def _as_an_ordinary_user() -> None:
    """In the child, before exec: drop what lets root ignore a folder's permission bits, so a
    read-only folder is read-only to the command as it would be to any user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from microlend.cli import main; main()", *args]
    root = os.geteuid() == 0
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        preexec_fn=_as_an_ordinary_user if root else None,
        check=False,
    )


def test_a_read_only_model_folder_is_a_clear_error_before_any_work(
    table_model: Path, table_file: Path, tmp_path: Path
) -> None:
    model = shutil.copytree(table_model, tmp_path / "model")
    files = sorted(p.name for p in model.iterdir())
    model.chmod(0o555)
    try:
        # A table that does not exist: the card's folder is refused before the table is read.
        absent = ["--table", str(tmp_path / "absent.csv"), *TABLE_ARGS]
        refused = _run(["evaluate", "--model", str(model), *absent])
        assert refused.returncode == 2, refused.stderr
        assert "ConfigError: cannot write model_card.md in" in refused.stderr
        assert "--card FILE" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert sorted(p.name for p in model.iterdir()) == files
        # --card elsewhere evaluates the read-only model and writes its card there.
        card = tmp_path / "cards" / "card.md"
        args = ["evaluate", "--model", str(model), "--table", str(table_file), *TABLE_ARGS]
        written = _run([*args, "--card", str(card), "--json"])
        assert written.returncode == 0, written.stderr
        assert json.loads(written.stdout)["model_card"] == str(card)
        assert "## Known limits" in card.read_text(encoding="utf-8")
        assert sorted(p.name for p in model.iterdir()) == files
    finally:
        model.chmod(0o755)
