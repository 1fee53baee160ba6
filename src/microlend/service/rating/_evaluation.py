"""A saved model evaluated on merchant records or on a labelled table: every figure that
``microlend evaluate`` prints, and that its model card words, computed once.

``ModelEvaluation.to_dict`` is ``evaluate --json``; ``microlend.dashboard.render_model_card``
writes the same object as Markdown. Beyond the metrics and calibration tests it holds what a
validator reads next to them: each feature's weight and missing share, how the population
shifted (PSI), and on records how far the features' windows reach back before the records begin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.compute as pc

from microlend.data import Dataset
from microlend.errors import ArtifactError
from microlend.models import (
    CalibrationTests,
    CrossValidation,
    Evaluation,
    LabelledTable,
    ModelArtifact,
    TableEvaluation,
    calibration_tests,
    evaluate,
    evaluate_table,
    file_sha256,
)
from microlend.scoring import ScoreScale
from microlend.service.rating._report import Shift, feature_importance, population_shift
from microlend.service.rating._saved import check_feature_catalog
from microlend.service.rating._training import (
    Labelled,
    Progress,
    data_fingerprint,
    labelled_applications,
    quiet,
)

__all__ = [
    "HISTORY_WINDOWS",
    "FeatureFact",
    "HistoryCut",
    "ModelEvaluation",
    "WindowCut",
    "evaluate_on_records",
    "evaluate_on_table",
]

FloatArray = npt.NDArray[np.float64]

#: The trailing windows of the catalog's features, in days (30 and 90 days, 13 weeks, 180 and
#: 365 days): the three longest are the ones the records' start can cut.
HISTORY_WINDOWS = (90, 180, 365)

#: A table with a time column is split as the records are (out of time): the earliest 70 % of
#: its rows are the baseline its latest 30 % are compared with.
_BASELINE_SHARE = 0.7


@dataclass(frozen=True)
class FeatureFact:
    """One feature on the evaluated rows: its weight (mean absolute contribution, log-odds),
    its missing share there and, where there is a baseline (the training applications), there."""

    name: str
    importance: float
    missing: float
    missing_baseline: float | None = None


@dataclass(frozen=True)
class WindowCut:
    """The share of applications whose ``days``-day window reaches back before the records
    begin although the merchant had joined by then: the window saw less than it should."""

    days: int
    training: float
    test: float


@dataclass(frozen=True)
class HistoryCut:
    """Left truncation on records: when the first order was recorded, and each window's cut."""

    records_start: datetime
    windows: tuple[WindowCut, ...]


@dataclass(frozen=True)
class ModelEvaluation:
    """A saved model on the rows it was evaluated on (``source``, with its sha256); the
    calibration tests' bands are those of ``scale``."""

    artifact: ModelArtifact
    source: str
    source_sha256: str
    scale: ScoreScale
    evaluation: Evaluation
    calibration_tests: CalibrationTests
    features: tuple[FeatureFact, ...]
    shift: Shift | None
    scorecard: Evaluation | None = None
    cv_auc: tuple[float, float] | None = None  # mean and standard deviation over five folds
    unlabelled: int | None = None
    history: HistoryCut | None = None
    cross_validation: CrossValidation | None = None

    @property
    def on_records(self) -> bool:
        return self.artifact.metadata.kind == "merchant_records"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what ``evaluate --json`` prints."""
        result = self.evaluation.to_dict()
        if result["oracle_auc"] is None:
            del result["oracle_auc"]
        result["calibration_tests"] = self.calibration_tests.to_dict()
        if self.scorecard is not None:
            result["scorecard_auc"] = self.scorecard.auc
        if self.unlabelled is not None:
            result["unlabelled"] = self.unlabelled
        if self.cv_auc is not None:
            result["cv_auc"], result["cv_auc_std"] = self.cv_auc
        if not self.on_records:
            result["chosen"] = self.artifact.kind
            candidates = self.candidates()
            if candidates:
                result["candidates"] = candidates
        return result

    def candidates(self) -> dict[str, dict[str, Any]]:
        """A table's candidates by name: ``cv_auc`` and ``cv_auc_std`` on the outer folds of
        the evaluation's nested cross-validation (the folds of ``cv_auc``), ``chosen_in_folds``
        (how many of those folds' selections chose it) and ``training_cv_auc`` (its figure on
        the training's own folds, saved with the model); each ``None`` where not measured."""
        cv, selection = self.cross_validation, self.artifact.selection
        outer = {} if cv is None else {c.name: c for c in cv.candidates}
        inner = {} if selection is None else {c.name: c for c in selection.candidates}
        found: dict[str, dict[str, Any]] = {}
        for name in [*outer, *(n for n in inner if n not in outer)]:
            tested, trained = outer.get(name), inner.get(name)
            found[name] = {
                "cv_auc": None if tested is None else tested.auc,
                "cv_auc_std": None if tested is None else tested.std,
                "chosen_in_folds": None if cv is None else cv.chosen.count(name),
                "training_cv_auc": None if trained is None else trained.auc,
            }
        return found


def evaluate_on_records(
    artifact: ModelArtifact,
    dataset: Dataset,
    *,
    scale: ScoreScale | None = None,
    progress: Progress = quiet,
) -> ModelEvaluation:
    """The model (and its scorecard) on the applications of its out-of-time test, with the
    validator's calibration tests by band of ``scale``; the applications before the test are
    the baseline of the population shift."""
    scale = scale or ScoreScale()
    check_feature_catalog(artifact)  # before the features are built, not after
    train, test = _replayed_split(artifact, labelled_applications(dataset, progress=progress))
    model_pd = artifact.model.predict_pd(test.features)
    importance = feature_importance(artifact.model, test.features)
    shift = None
    if len(train):
        before_pd = artifact.model.predict_pd(train.features)
        shift = population_shift(
            scale, (train.features, before_pd), (test.features, model_pd), importance
        )
    challenger = artifact.challenger
    return ModelEvaluation(
        artifact=artifact,
        source=str(dataset.root),
        source_sha256=data_fingerprint(dataset),
        scale=scale,
        evaluation=evaluate(test.defaulted, model_pd, true_pd=test.true_pd),
        calibration_tests=calibration_tests(test.defaulted, model_pd, scale),
        features=_feature_facts(importance, test.features, train.features if len(train) else None),
        shift=shift,
        scorecard=None
        if challenger is None
        else evaluate(test.defaulted, challenger.predict_pd(test.features)),
        history=_history_cut(dataset, train, test),
    )


def _replayed_split(artifact: ModelArtifact, labelled: Labelled) -> tuple[Labelled, Labelled]:
    """The applications before the saved test window, and those in it (and after)."""
    window = artifact.metadata.test_window
    if window is None:
        raise ArtifactError("this model was not trained on merchant records (no test_window)")
    later = (labelled.applied_at >= pd.Timestamp(window.start)).to_numpy()
    return labelled.take(~later), labelled.take(later)


def evaluate_on_table(
    artifact: ModelArtifact, table: LabelledTable, path: Path, *, scale: ScoreScale | None = None
) -> ModelEvaluation:
    """The model on a labelled table read from ``path``; when it has no time column, the nested
    cross-validation of the recipe (``cv_auc`` and every candidate's figure), else the shift of
    its latest rows from its earliest."""
    scale = scale or ScoreScale()
    result = evaluate_table(artifact, table, banding=scale)
    assert result.calibration_tests is not None, "a banding gives calibration tests"
    importance = feature_importance(artifact.predictor, result.rows)
    return ModelEvaluation(
        artifact=artifact,
        source=str(path),
        source_sha256=file_sha256(Path(path)),
        scale=scale,
        evaluation=result.evaluation,
        calibration_tests=result.calibration_tests,
        features=_feature_facts(importance, result.rows, None),
        shift=_shift_in_time(artifact, table, result, scale, importance),
        cv_auc=result.cv_auc,
        unlabelled=result.unlabelled,
        cross_validation=result.cross_validation,
    )


def _shift_in_time(
    artifact: ModelArtifact,
    table: LabelledTable,
    result: TableEvaluation,
    scale: ScoreScale,
    importance: Sequence[tuple[str, float]],
) -> Shift | None:
    """The earliest 70 % of the dated rows against the latest 30 %; ``None`` when the table
    has no time column or under ten dated rows."""
    preparer = artifact.preparer
    time = None if preparer is None else preparer.time_values(table.features)
    if preparer is None or time is None:
        return None
    dated = np.flatnonzero(time.notna().to_numpy())
    if dated.size < 10:
        return None
    order = dated[np.argsort(time.to_numpy()[dated], kind="stable")]
    cut = int(order.size * _BASELINE_SHARE)
    rows, pd_ = result.rows.reset_index(drop=True), result.pd
    return population_shift(
        scale,
        (rows.iloc[order[:cut]], pd_[order[:cut]]),
        (rows.iloc[order[cut:]], pd_[order[cut:]]),
        importance,
        by=preparer.time_column_,
    )


def _feature_facts(
    importance: Sequence[tuple[str, float]],
    rows: pd.DataFrame,
    baseline: pd.DataFrame | None,
) -> tuple[FeatureFact, ...]:
    return tuple(
        FeatureFact(
            name=name,
            importance=weight,
            missing=float(rows[name].isna().mean()),
            missing_baseline=None if baseline is None else float(baseline[name].isna().mean()),
        )
        for name, weight in importance
    )


def _history_cut(dataset: Dataset, train: Labelled, test: Labelled) -> HistoryCut | None:
    """How often each long window reached back before the first recorded order for a merchant
    that had joined before it: its history was there but not in the records."""
    start = pc.min(dataset.table("orders").column("created_at")).as_py()
    if start is None or not len(test):
        return None
    merchants = dataset.table("merchants").select(["merchant_id", "onboarded_at"]).to_pandas()
    joined = merchants.set_index("merchant_id")["onboarded_at"]
    begin = pd.Timestamp(start)

    def cut(part: Labelled, days: int) -> float:
        if not len(part):
            return 0.0
        reach = part.applied_at - pd.Timedelta(days=days)
        onboarded = part.keys["merchant_id"].map(joined)
        return float(((reach < begin) & (onboarded < begin)).mean())

    windows = tuple(WindowCut(d, cut(train, d), cut(test, d)) for d in HISTORY_WINDOWS)
    return HistoryCut(records_start=start, windows=windows)
