"""``microlend monitor``: verdicts printed, exit 0 while stable, ``EXIT_ACT`` when PSI says act.

The book's decisions are the current population. A book holding the training applications
themselves is stable by construction; one holding only the lowest-scored of them has a shifted
score distribution (PSI well over 0.25).
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from decision_support import made_decision
from microlend.cli import app
from microlend.cli._monitor import EXIT_ACT
from microlend.data import Dataset
from microlend.scoring import ScoreScale
from microlend.service import RatingFit
from microlend.store import (
    LoanBookCommands,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import MerchantId

runner = CliRunner()
MERCHANT = MerchantId("M-monitor")


def _book_of(url: str, features: pd.DataFrame, scores: np.ndarray, on: datetime) -> None:
    """A book whose stored decisions carry ``features`` and ``scores``, one per row."""
    engine = create_engine_for(url)
    migrate(engine)
    rows = features.astype(object).where(features.notna(), None).to_dict(orient="records")

    def unit(session: Session) -> None:
        commands = LoanBookCommands(session)
        commands.add_merchant(MerchantRecord(MERCHANT, "toys", "north", on))
        for number, (values, score) in enumerate(zip(rows, scores, strict=True)):
            # A rating's score is whole points.
            features = {str(k): None if v is None else float(v) for k, v in values.items()}
            commands.add_decision(
                made_decision(
                    f"dec-{number}",
                    MERCHANT,
                    as_of=on.date(),
                    score=round(float(score)),
                    features=features,
                )
            )

    in_transaction(engine, unit)
    engine.dispose()


def _training(fit: RatingFit) -> tuple[pd.DataFrame, np.ndarray]:
    features = fit.train.features
    scores = np.asarray(ScoreScale().score(fit.model.predict_pd(features)), np.float64)
    return features, scores


def _monitor(model: Path, data: Path, url: str, *extra: str) -> Result:
    return runner.invoke(
        app, ["monitor", "--model", str(model), "--data", str(data), "--db", url, *extra]
    )


def test_monitor_is_stable_on_the_training_population(
    small_market: Dataset, small_market_dir: Path, small_fit: RatingFit, cli_model_dir: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    url = f"sqlite:///{tmp_path / 'stable.sqlite'}"
    features, scores = _training(small_fit)
    _book_of(url, features, scores, small_market.end)
    result = _monitor(cli_model_dir, small_market_dir, url)
    assert result.exit_code == 0, result.output
    assert "verdict: stable" in result.output
    assert "decisions in the book against training" in " ".join(result.output.split())
    as_json = _monitor(cli_model_dir, small_market_dir, url, "--json")
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.stdout)
    assert body["verdict"] == "stable"
    assert body["n_current"] == len(features)
    assert body["psi"]["score"]["psi"] < 0.10


def _lowest_quarter(small_market: Dataset, small_fit: RatingFit, url: str) -> int:
    """A book of the lowest-scored quarter of the training applications; their count."""
    features, scores = _training(small_fit)
    lowest = scores <= np.quantile(scores, 0.25)
    _book_of(url, features[lowest].reset_index(drop=True), scores[lowest], small_market.end)
    return int(lowest.sum())


def test_monitor_exits_act_when_the_score_shifted(
    small_market: Dataset, small_market_dir: Path, small_fit: RatingFit, cli_model_dir: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    url = f"sqlite:///{tmp_path / 'shifted.sqlite'}"
    rows = _lowest_quarter(small_market, small_fit, url)
    # The book is smaller than the default minimum sample: a policy asking for fewer rows.
    policy = tmp_path / "policy.toml"
    default = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")
    policy.write_text(default.replace("min_psi_rows = 300", f"min_psi_rows = {rows}"), "utf-8")
    result = _monitor(cli_model_dir, small_market_dir, url, "--policy", str(policy))
    assert result.exit_code == EXIT_ACT, result.output
    assert "verdict: act" in result.output
    as_json = _monitor(cli_model_dir, small_market_dir, url, "--json", "--policy", str(policy))
    assert as_json.exit_code == EXIT_ACT
    body = json.loads(as_json.stdout)
    assert body["psi"]["score"]["verdict"] == "act"
    assert body["psi"]["score"]["psi"] >= 0.25


def test_monitor_gives_no_verdict_below_the_minimum_sample(
    small_market: Dataset, small_market_dir: Path, small_fit: RatingFit, cli_model_dir: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    url = f"sqlite:///{tmp_path / 'thin.sqlite'}"
    rows = _lowest_quarter(small_market, small_fit, url)
    assert rows < 300  # the default policy's min_psi_rows
    result = _monitor(cli_model_dir, small_market_dir, url)
    assert result.exit_code == 0, result.output  # no evidence, no act
    assert f"verdict: not enough data ({rows})" in result.output
    as_json = _monitor(cli_model_dir, small_market_dir, url, "--json")
    body = json.loads(as_json.stdout)
    assert body["verdict"] == "insufficient"
    assert body["psi"]["score"] == {
        "psi": body["psi"]["score"]["psi"],
        "verdict": "insufficient",
        "n": rows,
    }


def test_monitor_needs_the_training_records(cli_model_dir: Path) -> None:
    result = runner.invoke(app, ["monitor", "--model", str(cli_model_dir)])
    assert result.exit_code == 2
    assert "monitor needs --data" in result.stderr


def test_monitor_help_states_the_exit_status() -> None:
    result = runner.invoke(app, ["monitor", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "PSI" in result.output
    assert f"exit status {EXIT_ACT}" in result.output
