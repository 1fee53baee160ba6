"""The rating path on merchant records: labelled applications, out-of-time training, evaluation.

A funded application is labelled when its loan's performance window (12 months from
disbursal) ended before the data's end: only then is "did not default" known. Features are
computed as of each application's own date, so training sees what the lender saw then.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from microlend.data import Dataset
from microlend.errors import DataContractError, ModelError, Violation
from microlend.features import (
    CATALOG,
    CATALOG_VERSION,
    application_spine,
    build_features,
    feature_names,
)
from microlend.models import (
    Evaluation,
    ModelMetadata,
    PDModel,
    Scorecard,
    Window,
    evaluate,
    file_sha256,
)
from microlend.scoring import Improver
from microlend.types import Progress, quiet

__all__ = [
    "PERFORMANCE_WINDOW",
    "RATING_MODEL_SETTINGS",
    "Labelled",
    "Progress",
    "RatingFit",
    "data_fingerprint",
    "fit_rating",
    "labelled_applications",
    "quiet",
    "split_out_of_time",
]

#: Default is "defaulted within 12 months of disbursal" (DESIGN.md section 3).
PERFORMANCE_WINDOW = timedelta(days=365)

_KEYS = ["application_id", "merchant_id", "applied_at"]

#: The PD model's settings on merchant records. A lender's first years hold a few hundred
#: defaults, so shallow trees (two levels), a slow rate and half the features per tree: on the
#: demo's marketplace (seeds 0 and 1) they gained 0.001-0.003 AUC out of time over the library
#: defaults, with the refit on all rows (``PDModel(refit=True)``) gaining as much again.
RATING_MODEL_SETTINGS: Mapping[str, Any] = {
    "learning_rate": 0.02,
    "num_leaves": 4,
    "max_depth": 2,
    "min_child_samples": 100,
    "lambda_l2": 10.0,
    "feature_fraction": 0.5,
}


@dataclass(frozen=True)
class Labelled:
    """Applications with features, outcome and (in simulated data) the true PD, in time order."""

    keys: pd.DataFrame
    features: pd.DataFrame
    defaulted: npt.NDArray[np.int64]
    true_pd: npt.NDArray[np.float64] | None

    def __len__(self) -> int:
        return len(self.keys)

    def take(self, mask: npt.NDArray[np.bool_]) -> Labelled:
        return Labelled(
            keys=self.keys[mask].reset_index(drop=True),
            features=self.features[mask].reset_index(drop=True),
            defaulted=self.defaulted[mask],
            true_pd=None if self.true_pd is None else self.true_pd[mask],
        )

    @property
    def applied_at(self) -> pd.Series:
        return self.keys["applied_at"]


def _matured_outcomes(tables: Mapping[str, pa.Table], end: datetime) -> pd.DataFrame:
    for name in ("applications", "loans", "outcomes"):
        if name not in tables:
            raise DataContractError(
                [Violation(f"{name}.*", None, None, "training needs applications, loans, outcomes")]
            )
    loans = tables["loans"].select(["loan_id", "application_id", "disbursed_at"]).to_pandas()
    outcomes = tables["outcomes"].select(["loan_id", "defaulted"]).to_pandas()
    joined = loans.merge(outcomes, on="loan_id", how="inner", validate="one_to_one")
    matured = joined["disbursed_at"] + PERFORMANCE_WINDOW <= pd.Timestamp(end)
    labelled: pd.DataFrame = joined.loc[matured, ["application_id", "defaulted"]]
    return labelled


def labelled_applications(dataset: Dataset, *, progress: Progress = quiet) -> Labelled:
    """Every funded application whose performance window has ended, with its features."""
    outcomes = _matured_outcomes(dataset.tables, dataset.end)
    applications = dataset.table("applications")
    wanted = pa.array(outcomes["application_id"].to_numpy(dtype=str))
    chosen = applications.filter(pa.compute.is_in(applications["application_id"], wanted))
    chosen = chosen.sort_by([("applied_at", "ascending"), ("application_id", "ascending")])
    progress("features at each application's date", 0.0)
    built = build_features(dataset, application_spine(chosen)).to_pandas()
    progress("features at each application's date", 1.0)
    keys = chosen.select(_KEYS).to_pandas()
    y = keys[["application_id"]].merge(outcomes, on="application_id", how="left")["defaulted"]
    return Labelled(
        keys=keys,
        features=built[list(feature_names())],
        defaulted=y.to_numpy(dtype=np.int64),
        true_pd=_true_pd(dataset, keys),
    )


def _true_pd(dataset: Dataset, keys: pd.DataFrame) -> npt.NDArray[np.float64] | None:
    if not dataset.has("truth"):
        return None
    truth = dataset.table("truth").select(["application_id", "true_pd"]).to_pandas()
    aligned = keys[["application_id"]].merge(truth, on="application_id", how="left")
    return aligned["true_pd"].to_numpy(dtype=np.float64)


def split_out_of_time(labelled: Labelled, test_share: float = 0.3) -> tuple[Labelled, Labelled]:
    """Train on the earlier applications, test on the later ones (no application in both)."""
    if not 0 < test_share < 1:
        raise ValueError(f"test_share must be between 0 and 1, got {test_share}")
    if len(labelled) < 2:
        raise ModelError(
            f"{len(labelled)} funded applications have a known outcome: a loan is labelled "
            f"{PERFORMANCE_WINDOW.days} days after it is paid out, so the records must run "
            "well past a year of lending"
        )
    cutoff = labelled.applied_at.iloc[int(len(labelled) * (1 - test_share))]
    later = (labelled.applied_at >= cutoff).to_numpy()
    return labelled.take(~later), labelled.take(later)


def _require_both_outcomes(part: Labelled, name: str) -> None:
    defaulted = int(part.defaulted.sum())
    if defaulted in (0, len(part)):
        raise ModelError(
            f"the {name} applications ({len(part)}, {defaulted} defaulted) need both defaults "
            "and repaid loans to learn from: the records are too few or too short"
        )


@dataclass(frozen=True)
class RatingFit:
    """The champion PD model, its scorecard challenger, and how both did out of time.
    ``improver`` ("what would raise it") is fitted on the model's own training matrix and is
    saved with it (``save_rating``), so every path that rates suggests the same changes."""

    model: PDModel
    scorecard: Scorecard
    improver: Improver
    train: Labelled
    test: Labelled
    evaluation: Evaluation
    scorecard_evaluation: Evaluation
    metadata: ModelMetadata


def fit_rating(
    dataset: Dataset, *, test_share: float = 0.3, seed: int = 0, progress: Progress = quiet
) -> RatingFit:
    """Label, split out of time, fit the PD model and the scorecard, evaluate both on the test."""
    labelled = labelled_applications(dataset, progress=progress)
    train, test = split_out_of_time(labelled, test_share)
    for part, name in ((train, "training"), (test, "test")):
        _require_both_outcomes(part, name)
    progress("PD model (LightGBM, monotone, calibrated)", 0.0)
    directions = {f.name: int(f.direction) for f in CATALOG}
    model = PDModel(monotone=directions, random_state=seed, **RATING_MODEL_SETTINGS)
    model.fit(train.features, train.defaulted, time=train.applied_at)
    progress("PD model (LightGBM, monotone, calibrated)", 1.0)
    progress("scorecard challenger (WoE logistic)", 0.0)
    scorecard = Scorecard().fit(train.features, train.defaulted)
    progress("scorecard challenger (WoE logistic)", 1.0)
    improver = Improver(CATALOG).fit(train.features)
    evaluation = evaluate(test.defaulted, model.predict_pd(test.features), true_pd=test.true_pd)
    challenger = evaluate(test.defaulted, scorecard.predict_pd(test.features))
    return RatingFit(
        model=model,
        scorecard=scorecard,
        improver=improver,
        train=train,
        test=test,
        evaluation=evaluation,
        scorecard_evaluation=challenger,
        metadata=_metadata(dataset, train, test, evaluation, challenger),
    )


def _window(part: Labelled) -> Window:
    return Window(part.applied_at.min().to_pydatetime(), part.applied_at.max().to_pydatetime())


def _metadata(
    dataset: Dataset,
    train: Labelled,
    test: Labelled,
    evaluation: Evaluation,
    challenger: Evaluation,
) -> ModelMetadata:
    return ModelMetadata(
        kind="merchant_records",
        training_window=_window(train),
        test_window=_window(test),
        performance_window_days=PERFORMANCE_WINDOW.days,
        data_end=dataset.end,
        data_sha256=data_fingerprint(dataset),
        n_train=len(train),
        n_test=len(test),
        test_metrics={**_scalars(evaluation), "scorecard_auc": challenger.auc},
        feature_catalog=CATALOG_VERSION,
    )


def _scalars(evaluation: Evaluation) -> dict[str, Any]:
    return {k: v for k, v in evaluation.to_dict().items() if isinstance(v, int | float)}


def data_fingerprint(dataset: Dataset) -> str:
    """sha256 over the data files' names and bytes, in name order: which data trained a model
    (a store's records are named by their batches, ``Dataset.fingerprint``)."""
    if dataset.fingerprint is not None:
        return dataset.fingerprint
    lines = (
        f"{dataset.files[n].name} {file_sha256(dataset.files[n])}" for n in sorted(dataset.files)
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
