"""Drift of the score and of the top features against the model's training population.

The baseline is the training applications (features and scores), taken from a fit or
recomputed from the records and the training window in the model's metadata. The current
population is the book's stored decisions (their feature values and scores) or, for a book
with none, the applications after the training window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.errors import ArtifactError
from microlend.models import ModelArtifact, PDModel
from microlend.monitoring import (
    CalibrationVerdict,
    Stability,
    Verdict,
    calibration_by_band,
    calibration_verdict,
    psi,
    psi_table,
)
from microlend.monitoring import worst_verdict as _worst
from microlend.policy import MinimumSample
from microlend.scoring import ScoreScale
from microlend.service.rating import (
    STABILITY_FEATURES,
    Labelled,
    RatingFit,
    check_feature_catalog,
    feature_importance,
    labelled_applications,
)
from microlend.store import PortfolioQueries

__all__ = [
    "ModelMonitor",
    "Population",
    "StabilityBaseline",
    "baseline_from_fit",
    "baseline_on_records",
    "book_population",
    "monitor_model",
    "monitor_on_records",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Population:
    """Scores and feature values of a population of applications (one row each), and the
    month (``YYYY-MM``) each was decided in where known (``months``, else empty)."""

    name: str
    scores: FloatArray
    features: pd.DataFrame
    months: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.scores.size)


@dataclass(frozen=True)
class StabilityBaseline:
    """The training population, restricted to the ``top`` features by importance."""

    population: Population
    top: tuple[str, ...]


@dataclass(frozen=True)
class ModelMonitor:
    """PSI of the score and of the top features, calibration by band, and the worst verdict
    of the PSIs (``verdict``); ``calibrated`` is the calibration's own verdict."""

    current: str
    n_baseline: int
    n_current: int
    score: Stability
    features: tuple[Stability, ...]
    calibration: pd.DataFrame
    verdict: Verdict
    calibrated: CalibrationVerdict

    def to_dict(self) -> dict[str, object]:
        stability = [self.score, *self.features]
        return {
            "verdict": self.verdict.value,
            "current_population": self.current,
            "n_baseline": self.n_baseline,
            "n_current": self.n_current,
            "psi": {
                s.name: {"psi": s.psi, "verdict": s.verdict.value, "n": s.n} for s in stability
            },
            "calibration_verdict": self.calibrated.to_dict(),
            "calibration_by_band": self.calibration.astype(object)
            .where(self.calibration.notna(), None)
            .to_dict(orient="records"),
        }


def _top_features(model: PDModel, features: pd.DataFrame, top: int) -> tuple[str, ...]:
    return tuple(name for name, _ in feature_importance(model, features)[:top])


def _population(name: str, model: PDModel, part: Labelled, scale: ScoreScale) -> Population:
    scores = np.asarray(scale.score(model.predict_pd(part.features)), np.float64)
    return Population(name, scores, part.features)


def baseline_from_fit(
    fit: RatingFit, scale: ScoreScale | None = None, *, top: int = STABILITY_FEATURES
) -> StabilityBaseline:
    """The training population of a fresh fit."""
    population = _population("training", fit.model, fit.train, scale or ScoreScale())
    return StabilityBaseline(population, _top_features(fit.model, fit.train.features, top))


def book_population(engine: Engine) -> Population:
    """The stored decisions' scores and feature values (the model's inputs at decision time)."""
    with Session(engine) as session:
        decisions = PortfolioQueries(session).decisions()
    features = pd.DataFrame([d.feature_values for d in decisions]).astype(np.float64)
    scores = np.array([d.rating.score for d in decisions], np.float64)
    months = tuple(d.decision.as_of.strftime("%Y-%m") for d in decisions)
    return Population("decisions in the book", scores, features, months)


def monitor_model(
    baseline: StabilityBaseline,
    current: Population,
    calibration: pd.DataFrame,
    minimum: MinimumSample | None = None,
) -> ModelMonitor:
    """Compare ``current`` with the training ``baseline``; the verdict is the worst one. Each
    verdict needs the policy's ``minimum`` sample (its defaults when none is given)."""
    minimum = minimum or MinimumSample()
    rows = minimum.psi_rows
    score = psi(baseline.population.scores, current.scores, name="score", min_rows=rows)
    shared = [n for n in baseline.top if n in current.features.columns]
    features = psi_table(
        {n: baseline.population.features[n].to_numpy(np.float64) for n in shared},
        {n: current.features[n].to_numpy(np.float64) for n in shared},
        min_rows=rows,
    )
    return ModelMonitor(
        current=current.name,
        n_baseline=len(baseline.population),
        n_current=len(current),
        score=score,
        features=tuple(features),
        calibration=calibration,
        verdict=_worst([score, *features]),
        calibrated=calibration_verdict(calibration, min_bads=minimum.calibration_bads),
    )


def _split_at_training(artifact: ModelArtifact, dataset: Dataset) -> tuple[Labelled, Labelled]:
    window = artifact.metadata.training_window
    if artifact.metadata.kind != "merchant_records" or window is None:
        raise ArtifactError("this model was not trained on merchant records (no training_window)")
    check_feature_catalog(artifact)
    labelled = labelled_applications(dataset)
    later = (labelled.applied_at > pd.Timestamp(window.end)).to_numpy()
    train, after = labelled.take(~later), labelled.take(later)
    if len(train) == 0 or len(after) == 0:
        raise ArtifactError("the records hold no applications on one side of the training window")
    return train, after


def baseline_on_records(
    artifact: ModelArtifact, dataset: Dataset, scale: ScoreScale | None = None
) -> StabilityBaseline:
    """The training population of a saved model, rebuilt from the records it was trained on."""
    train, _ = _split_at_training(artifact, dataset)
    return _baseline(artifact.model, train, scale or ScoreScale())


def _baseline(model: PDModel, train: Labelled, scale: ScoreScale) -> StabilityBaseline:
    return StabilityBaseline(
        _population("training", model, train, scale),
        _top_features(model, train.features, STABILITY_FEATURES),
    )


def monitor_on_records(
    artifact: ModelArtifact,
    dataset: Dataset,
    *,
    current: Population | None = None,
    scale: ScoreScale | None = None,
    minimum: MinimumSample | None = None,
) -> ModelMonitor:
    """Monitor a saved model: the baseline is recomputed from ``dataset`` and the training
    window in its metadata; calibration by band is measured on the matured applications after
    that window; ``current`` defaults to those applications; ``minimum`` as in
    ``monitor_model``."""
    scale = scale or ScoreScale()
    train, after = _split_at_training(artifact, dataset)
    model = artifact.model
    calibration = calibration_by_band(model.predict_pd(after.features), after.defaulted, scale)
    chosen = current or _population("applications after training", model, after, scale)
    return monitor_model(_baseline(model, train, scale), chosen, calibration, minimum)
