"""PDModel and Scorecard keep scikit-learn's estimator contract: params, clone, fitted checks,
validation in fit, and the thread setting reaching LightGBM."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from models_support import DIRECTIONS, risk_frame
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.utils.validation import check_is_fitted

from microlend.errors import ModelError, NotFittedError
from microlend.models import PDModel, Scorecard

Data = tuple[pd.DataFrame, npt.NDArray[np.int64], pd.Series]

#: Small and quick: these tests are about the contract, not the model's quality.
QUICK = {"max_rounds": 30, "early_stopping_rounds": 10, "min_child_samples": 20}


@pytest.fixture(scope="module")
def small() -> Data:
    return risk_frame(1200, seed=4)


def test_get_params_round_trips_every_setting() -> None:
    model = PDModel(monotone=DIRECTIONS, learning_rate=0.1, n_jobs=1, calibration="platt")
    params = model.get_params()
    assert params["monotone"] == DIRECTIONS
    assert params["n_jobs"] == 1
    assert PDModel(**params).get_params() == params
    assert model.set_params(num_leaves=7) is model
    assert model.num_leaves == 7
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(threads=3)
    # model.json keeps the same settings, JSON-ready.
    assert model.settings() == model.get_params(deep=False)


def test_clone_of_a_fitted_model_is_unfitted_with_equal_settings(fitted_model: PDModel) -> None:
    twin = clone(fitted_model)
    assert twin is not fitted_model
    assert twin.get_params() == fitted_model.get_params()
    assert twin.monotone is not fitted_model.monotone  # a copy, not a shared mapping
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(twin)
    with pytest.raises(NotFittedError, match="not fitted"):
        twin.predict_pd(pd.DataFrame({"late": [1.0]}))
    check_is_fitted(fitted_model)


def test_unfitted_use_raises_the_projects_error(small: Data) -> None:
    rows, _, _ = small
    for use in (PDModel().predict_pd, PDModel().predict_proba, PDModel().contributions):
        with pytest.raises(NotFittedError):
            use(rows)
    with pytest.raises(NotFittedError):
        Scorecard().predict_pd(rows)
    with pytest.raises(NotFittedError):
        Scorecard().points_table()
    # Also an AttributeError, as scikit-learn's own NotFittedError is.
    with pytest.raises(AttributeError):
        PDModel().raw_margin(rows)


def test_a_classifier_for_scikit_learn(fitted_model: PDModel, small: Data) -> None:
    rows, y, _ = small
    assert is_classifier(fitted_model)
    proba = fitted_model.predict_proba(rows)
    assert proba.shape == (len(rows), 2)
    np.testing.assert_array_equal(proba[:, 1], fitted_model.predict_pd(rows))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(fitted_model.classes_) == [0, 1]
    assert set(np.unique(fitted_model.predict(rows))) <= {0, 1}
    assert roc_auc_score(y, proba[:, 1]) > 0.75


def test_the_thread_setting_reaches_lightgbm_and_leaves_the_trees_alone(small: Data) -> None:
    rows, y, time = small
    models = {n: PDModel(n_jobs=n, **QUICK).fit(rows, y, time=time) for n in (1, 3)}
    for threads, model in models.items():
        assert model.lgb_params()["num_threads"] == threads
        assert model.booster_.params["num_threads"] == threads
        assert f"[num_threads: {threads}]" in model.booster_.model_to_string()
        assert model.booster_.params["deterministic"] is True
    # Column-wise histograms in deterministic mode: the trees do not depend on the thread count
    # (only the parameters LightGBM writes after them name it).
    one, three = (m.booster_.model_to_string().split("\nparameters:")[0] for m in models.values())
    assert one == three


def test_default_threads_stay_two() -> None:
    assert PDModel().n_jobs == 2


@pytest.mark.parametrize(
    ("rows", "y", "message"),
    [
        (np.zeros((4, 2)), [0, 1, 0, 1], "pandas DataFrame"),
        (pd.DataFrame({"a": []}, dtype=float), [], "no rows"),
        (pd.DataFrame(index=range(4)), [0, 1, 0, 1], "no feature columns"),
        (pd.DataFrame([[1.0, 2.0]] * 4, columns=["a", "a"]), [0, 1, 0, 1], "repeat: a"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), [0, 1], r"shape \(2,\)"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), [[0], [1], [0]], r"shape \(3, 1\)"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), [0, 1, 2], "must be 0/1"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), ["no", "yes", "no"], "must be 0/1"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), [0.0, np.nan, 1.0], "missing"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), [1, 1, 1], "one class"),
    ],
)
def test_fit_refuses_bad_input_clearly(rows: object, y: object, message: str) -> None:
    for estimator in (PDModel(), Scorecard()):
        with pytest.raises(ModelError, match=message):
            estimator.fit(rows, y)


@pytest.mark.parametrize("threads", [0, -1, 1.5])
def test_threads_must_be_a_fixed_count(threads: object, small: Data) -> None:
    rows, y, _ = small
    with pytest.raises(ModelError, match="n_jobs"):
        PDModel(n_jobs=threads).fit(rows, y)  # type: ignore[arg-type]


def test_scorecard_settings_clone_and_save_alike(small: Data) -> None:
    rows, y, _ = small
    card = Scorecard(min_iv=0.05, max_n_bins=5).fit(rows, y)
    twin = clone(card)
    assert (
        twin.get_params()
        == card.get_params()
        == {**Scorecard().get_params(), "min_iv": 0.05, "max_n_bins": 5}
    )
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(twin)
    assert card.to_dict()["settings"] == card.get_params()
    assert is_classifier(card)
    np.testing.assert_array_equal(card.predict_proba(rows)[:, 1], card.predict_pd(rows))
