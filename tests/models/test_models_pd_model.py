"""PDModel: monotone constraints hold, contributions add up, calibration helps."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from models_support import DIRECTIONS, risk_frame
from sklearn.metrics import brier_score_loss, roc_auc_score

from microlend.errors import ModelError, NotFittedError
from microlend.models import PDModel

Data = tuple[pd.DataFrame, npt.NDArray[np.int64], pd.Series]


@pytest.mark.parametrize(("feature", "direction"), sorted(DIRECTIONS.items()))
def test_pd_moves_only_in_the_known_direction(
    fitted_model: PDModel, feature: str, direction: int
) -> None:
    rows, _, _ = risk_frame(400, seed=11)
    rows = rows.dropna()
    rng = np.random.default_rng(5)
    before = fitted_model.predict_pd(rows)
    margin_before = fitted_model.raw_margin(rows)
    for _ in range(5):
        raised = rows.copy()
        raised[feature] = rows[feature] + rng.uniform(0.0, 3.0, len(rows))
        change = direction * (fitted_model.predict_pd(raised) - before)
        margin_change = direction * (fitted_model.raw_margin(raised) - margin_before)
        assert change.min() >= 0.0
        assert margin_change.min() >= -1e-12
    # The constraint is active, not vacuous: raising the feature does move some PDs.
    assert np.abs(fitted_model.predict_pd(raised) - before).max() > 0.01


def test_constraints_reach_lightgbm_for_numbers_only(fitted_model: PDModel) -> None:
    params = fitted_model.lgb_params()
    expected = [DIRECTIONS.get(n, 0) for n in fitted_model.feature_names_]
    assert params["monotone_constraints"] == expected
    assert params["monotone_constraints_method"] == "basic"
    assert fitted_model.categorical_ == ["segment"]


def test_contributions_sum_to_the_raw_margin(fitted_model: PDModel, risk_data: Data) -> None:
    rows = risk_data[0].iloc[:300]
    parts = fitted_model.contributions(rows)
    assert list(parts.columns) == [*fitted_model.feature_names_, "base"]
    np.testing.assert_allclose(parts.sum(axis=1), fitted_model.raw_margin(rows), atol=1e-9)
    pd_from_parts = fitted_model.calibrator_.predict(1 / (1 + np.exp(-parts.sum(axis=1))))
    np.testing.assert_allclose(pd_from_parts, fitted_model.predict_pd(rows), atol=1e-12)


@pytest.mark.parametrize("method", ["auto", "platt"])
def test_calibration_keeps_brier_and_matches_the_bad_rate(method: str, risk_data: Data) -> None:
    rows, y, time = risk_data
    model = PDModel(calibration=method, random_state=1).fit(rows, y, time=time)  # type: ignore[arg-type]
    test_rows, test_y, _ = risk_frame(4000, seed=99)
    raw = 1 / (1 + np.exp(-model.raw_margin(test_rows)))
    calibrated = model.predict_pd(test_rows)
    assert brier_score_loss(test_y, calibrated) <= brier_score_loss(test_y, raw) + 1e-3
    assert abs(calibrated.mean() - test_y.mean()) < 0.02
    assert roc_auc_score(test_y, calibrated) > 0.75


def test_isotonic_calibration_is_monotone_and_bounded(risk_data: Data) -> None:
    rows, y, time = risk_data
    model = PDModel(calibration="isotonic").fit(rows, y, time=time)
    raw = np.linspace(0.0, 1.0, 501)
    pd_ = model.calibrator_.predict(raw)
    assert np.all(np.diff(pd_) >= 0.0)
    assert pd_.min() > 0.0
    assert pd_.max() < 1.0
    assert model.calibrator_.method_ == "isotonic"


def test_hold_out_is_the_latest_rows_with_a_time(fitted_model: PDModel) -> None:
    assert fitted_model.n_holdout_ == 800
    assert fitted_model.n_train_ == 3200
    assert 0 < fitted_model.stopped_at_ < fitted_model.max_rounds


def test_refit_grows_on_all_rows_with_the_scaled_tree_count(fitted_model: PDModel) -> None:
    # 4000 rows against the 3200 that early stopping grew on: 5/4 as many trees.
    assert fitted_model.best_iteration_ == round(fitted_model.stopped_at_ * 4000 / 3200)
    assert fitted_model.booster_.current_iteration() == fitted_model.best_iteration_


def test_without_refit_the_early_stopped_booster_is_kept(risk_data: Data) -> None:
    rows, y, time = risk_data
    model = PDModel(monotone=DIRECTIONS, refit=False).fit(rows, y, time=time)
    assert model.best_iteration_ == model.stopped_at_
    # Calibrated on the 800 held-out rows only, so it still matches their bad rate.
    held_pd = model.predict_pd(rows.iloc[3200:])
    assert abs(held_pd.mean() - y[3200:].mean()) < 0.01


def test_refit_calibration_matches_the_training_bad_rate(fitted_model: PDModel) -> None:
    # The calibrator learnt from cross-fitted scores of every row: on fresh rows from the same
    # population its mean PD is the bad rate.
    fresh, fresh_y, _ = risk_frame(20_000, seed=7)
    assert abs(fitted_model.predict_pd(fresh).mean() - fresh_y.mean()) < 0.01


def test_fits_without_time_by_a_stratified_split(risk_data: Data) -> None:
    rows, y, _ = risk_data
    model = PDModel(validation_share=0.25).fit(rows, y)
    assert model.n_holdout_ == 1000
    assert model.holdout_auc_ > 0.75


def test_unseen_category_and_missing_value_still_predict(fitted_model: PDModel) -> None:
    rows = pd.DataFrame(
        {"late": [1.0, np.nan], "sales": [0.0, 0.0], "noise": [0.0, 0.0], "segment": ["zz", None]}
    )
    pd_ = fitted_model.predict_pd(rows)
    assert np.all((pd_ > 0) & (pd_ < 1))


def test_misuse_is_refused(risk_data: Data) -> None:
    rows, y, _ = risk_data
    with pytest.raises(NotFittedError):
        PDModel().predict_pd(rows)
    with pytest.raises(ModelError, match="one class"):
        PDModel().fit(rows, np.zeros(len(rows), dtype=np.int64))
    with pytest.raises(ModelError, match="-1, 0 or \\+1"):
        PDModel(monotone={"late": 2}).fit(rows, y)
