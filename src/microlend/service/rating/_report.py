"""The model report's numbers: ROC curves, calibration and its tests, score distribution,
importance, PSI.

Only computation lives here; ``microlend.dashboard`` draws it as an HTML page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import roc_curve

from microlend.models import (
    CalibrationBin,
    CalibrationTests,
    Evaluation,
    ModelMetadata,
    TableModel,
    calibration_tests,
)
from microlend.monitoring import Stability, psi, psi_table
from microlend.scoring import ScoreScale
from microlend.service.rating._training import RatingFit

__all__ = [
    "STABILITY_FEATURES",
    "Curve",
    "ModelReport",
    "Shift",
    "feature_importance",
    "model_report",
    "population_shift",
]

FloatArray = npt.NDArray[np.float64]

#: How many of the most important features have their stability watched (the report, the
#: monitor).
STABILITY_FEATURES = 10


@dataclass(frozen=True)
class Curve:
    """One ROC curve and its AUC."""

    name: str
    fpr: FloatArray
    tpr: FloatArray
    auc: float


@dataclass(frozen=True)
class ModelReport:
    """Everything the model report shows, computed on the out-of-time test applications."""

    evaluation: Evaluation
    scorecard: Evaluation
    curves: tuple[Curve, ...]
    calibration: tuple[CalibrationBin, ...]
    calibration_tests: CalibrationTests
    train_scores: FloatArray
    test_scores: FloatArray
    scale: ScoreScale
    band_counts: dict[str, int]
    importance: tuple[tuple[str, float], ...]
    score_stability: Stability
    feature_stability: tuple[Stability, ...]
    windows: dict[str, dict[str, str]]


def _curve(name: str, y: npt.NDArray[np.int64], p: FloatArray, auc: float) -> Curve:
    fpr, tpr, _ = roc_curve(y, p)
    return Curve(name, fpr.astype(np.float64), tpr.astype(np.float64), auc)


@dataclass(frozen=True)
class Shift:
    """How far the evaluated population moved from its baseline: PSI of the score and of the
    most important features (worst first). ``by`` is ``None`` for the training applications
    against the test ones; else the table's time column, earliest rows against the latest."""

    by: str | None
    baseline_n: int
    compared_n: int
    score: Stability
    features: tuple[Stability, ...]


def population_shift(
    scale: ScoreScale,
    baseline: tuple[pd.DataFrame, FloatArray],
    compared: tuple[pd.DataFrame, FloatArray],
    importance: Sequence[tuple[str, float]],
    *,
    by: str | None = None,
) -> Shift:
    """PSI of the score (PDs on ``scale``) and of the ``STABILITY_FEATURES`` most important
    features, from ``baseline`` (rows and their PDs) to ``compared``, split ``by`` a time
    column (``None``: training against test)."""
    (before, before_pd), (after, after_pd) = baseline, compared
    top = [name for name, _ in importance[:STABILITY_FEATURES]]
    return Shift(
        by=by,
        baseline_n=len(before),
        compared_n=len(after),
        score=psi(scale.score(before_pd), scale.score(after_pd), name="score"),
        features=tuple(
            psi_table({n: _numbers(before[n]) for n in top}, {n: _numbers(after[n]) for n in top})
        ),
    )


def _numbers(column: pd.Series) -> FloatArray:
    """A feature's values as floats (a category by its code, missing as NaN) for PSI."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy(dtype=np.float64)
        return np.where(codes < 0, np.nan, codes)
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


def feature_importance(model: TableModel, features: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    """Mean absolute contribution (log-odds) of each feature on ``features``, largest first."""
    contributions = model.contributions(features).drop(columns=["base"])
    mean_abs = contributions.abs().mean().sort_values(ascending=False)
    return tuple((str(name), float(value)) for name, value in mean_abs.items())


def model_report(fit: RatingFit, scale: ScoreScale | None = None) -> ModelReport:
    """Compute the report of a fitted rating: the test set against the training set."""
    scale = scale or ScoreScale()
    y = fit.test.defaulted
    model_pd = fit.model.predict_pd(fit.test.features)
    curves = [
        _curve("PD model", y, model_pd, fit.evaluation.auc),
        _curve(
            "scorecard",
            y,
            fit.scorecard.predict_pd(fit.test.features),
            fit.scorecard_evaluation.auc,
        ),
    ]
    if fit.test.true_pd is not None and fit.evaluation.oracle_auc is not None:
        curves.append(_curve("oracle (true PD)", y, fit.test.true_pd, fit.evaluation.oracle_auc))
    train_pd = fit.model.predict_pd(fit.train.features)
    importance = feature_importance(fit.model, fit.test.features)
    shift = population_shift(
        scale, (fit.train.features, train_pd), (fit.test.features, model_pd), importance
    )
    test_scores = np.asarray(scale.score(model_pd), np.float64)
    bands = pd.Series([scale.band(s) for s in test_scores]).value_counts()
    return ModelReport(
        evaluation=fit.evaluation,
        scorecard=fit.scorecard_evaluation,
        curves=tuple(curves),
        calibration=fit.evaluation.calibration,
        calibration_tests=calibration_tests(y, model_pd, scale),
        train_scores=np.asarray(scale.score(train_pd), np.float64),
        test_scores=test_scores,
        scale=scale,
        band_counts={b.name: int(bands.get(b.name, 0)) for b in scale.bands},
        importance=importance,
        score_stability=shift.score,
        feature_stability=shift.features,
        windows=_windows(fit.metadata),
    )


def _windows(metadata: ModelMetadata) -> dict[str, dict[str, str]]:
    """The training and test windows as the report prints them (ISO times)."""
    windows = {"training": metadata.training_window, "test": metadata.test_window}
    return {name: window.to_dict() for name, window in windows.items() if window is not None}
