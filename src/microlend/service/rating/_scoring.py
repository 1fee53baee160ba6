"""Rating on records with a saved model: evaluate on the out-of-time test, score merchants
(``rate``, scoring's one rating path, on every merchant's features as of a date)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from microlend.data import Dataset
from microlend.errors import ArtifactError
from microlend.features import CATALOG, build_features
from microlend.models import ModelArtifact, calibration_tests, evaluate
from microlend.scoring import RiskModel, ScoreScale, rate
from microlend.service.rating._training import Labelled, Progress, labelled_applications, quiet

__all__ = ["batch_table", "evaluate_on_records", "merchant_features", "score_merchants"]


def _test_part(artifact: ModelArtifact, labelled: Labelled) -> Labelled:
    window = artifact.metadata.test_window
    if window is None:
        raise ArtifactError("this model was not trained on merchant records (no test_window)")
    start = pd.Timestamp(window.start)
    return labelled.take((labelled.applied_at >= start).to_numpy())


def evaluate_on_records(
    artifact: ModelArtifact,
    dataset: Dataset,
    *,
    scale: ScoreScale | None = None,
    progress: Progress = quiet,
) -> dict[str, object]:
    """Metrics of the model (and its scorecard) on the applications of its out-of-time test,
    with the validator's calibration tests by band of ``scale`` under ``calibration_tests``."""
    test = _test_part(artifact, labelled_applications(dataset, progress=progress))
    pd_ = artifact.model.predict_pd(test.features)
    result = evaluate(test.defaulted, pd_, true_pd=test.true_pd).to_dict()
    tests = calibration_tests(test.defaulted, pd_, scale or ScoreScale())
    result["calibration_tests"] = tests.to_dict()
    if artifact.challenger is not None:
        challenger = artifact.challenger.predict_pd(test.features)
        result["scorecard_auc"] = evaluate(test.defaulted, challenger).auc
    if result.get("oracle_auc") is None:
        result.pop("oracle_auc", None)
    return result


def merchant_features(dataset: Dataset, as_of: date) -> pd.DataFrame:
    """Every merchant onboarded before ``as_of``, its features as of that date, by merchant_id."""
    built = build_features(dataset, as_of=as_of).to_pandas()
    rows: pd.DataFrame = built.set_index("merchant_id").drop(columns=["as_of"])
    return rows


def score_merchants(model: RiskModel, dataset: Dataset, as_of: date) -> pd.DataFrame:
    """One row per merchant: PD, score, band, sub-scores and its top reasons (code, value and
    wording, amounts in the data's currency), as of ``as_of``."""
    return batch_table(model, merchant_features(dataset, as_of), as_of, dataset.currency())


def batch_table(
    model: RiskModel, rows: pd.DataFrame, as_of: date | Sequence[date], currency: str
) -> pd.DataFrame:
    """The batch's output, on DuckDB and Spark alike: ``merchant_id``, ``as_of`` (one date,
    or one per row), then ``rate``'s flat table of ``rows`` (features by merchant id), its
    reasons worded with amounts in ``currency``."""
    table = rate(model, rows, CATALOG, currency=currency).table
    table.insert(0, "as_of", as_of)
    return table.reset_index(names="merchant_id")
