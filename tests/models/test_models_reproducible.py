"""Bit for bit: the same records and settings give the same model files and the same scores.

The rating is trained a second time on the session's small market, from the records up
(features, labels, split, booster, calibrator, scorecard), beside the session's own fit.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from microlend.data import Dataset
from microlend.features import CATALOG, build_features
from microlend.models import load_model, save_model
from microlend.scoring import rate
from microlend.service import RatingFit, fit_rating

SAVED = ["booster.txt", "calibrator.json", "model.json", "scorecard.json"]


@pytest.fixture(scope="module")
def second_fit(small_market: Dataset) -> RatingFit:
    return fit_rating(small_market)


def _saved(fit: RatingFit, folder: Path) -> dict[str, str]:
    save_model(fit.model, folder, fit.metadata, challenger=fit.scorecard)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_training_twice_saves_identical_files(
    small_fit: RatingFit, second_fit: RatingFit, tmp_path: Path
) -> None:
    first = _saved(small_fit, tmp_path / "first")
    second = _saved(second_fit, tmp_path / "second")
    assert sorted(first) == SAVED
    assert first == second
    assert second_fit.evaluation.to_dict() == small_fit.evaluation.to_dict()


def test_scoring_twice_gives_identical_scores(
    small_market: Dataset, small_fit: RatingFit, second_fit: RatingFit, tmp_path: Path
) -> None:
    """Features built twice (DuckDB on four threads), scored by each fit and by a saved copy."""
    as_of = (small_market.end - timedelta(days=30)).date()
    saved = tmp_path / "model"
    save_model(small_fit.model, saved, small_fit.metadata)
    builds = [
        build_features(small_market, as_of=as_of, backend=ibis.duckdb.connect(threads=4))
        .to_pandas()
        .set_index("merchant_id")
        .drop(columns=["as_of"])
        for _ in range(2)
    ]
    runs = [
        (small_fit.model, builds[0]),
        (second_fit.model, builds[1]),
        (load_model(saved), builds[1]),
    ]
    scores = []
    for model, rows in runs:
        table = rate(model, rows, CATALOG, currency=small_market.currency()).table
        table["margin"] = model.raw_margin(rows)
        scores.append(table)
    assert len(scores[0]) > 1000
    for other in scores[1:]:
        pd.testing.assert_frame_equal(other, scores[0], check_exact=True)
        floats = scores[0].select_dtypes("float64").columns
        assert other[floats].to_numpy().tobytes() == scores[0][floats].to_numpy().tobytes()
    assert np.unique(scores[0]["score"]).size > 100
