"""Rating: train the PD model on labelled applications, report on it, and rate merchants (in a
batch on DuckDB or Spark, or from the business date's feature snapshot)."""

from microlend.service.rating._evaluation import (
    HISTORY_WINDOWS,
    FeatureFact,
    HistoryCut,
    ModelEvaluation,
    WindowCut,
    evaluate_on_records,
    evaluate_on_table,
)
from microlend.service.rating._report import (
    STABILITY_FEATURES,
    Curve,
    ModelReport,
    Shift,
    feature_importance,
    model_report,
    population_shift,
)
from microlend.service.rating._saved import check_feature_catalog, improver_of, save_rating
from microlend.service.rating._scoring import merchant_features, score_merchants
from microlend.service.rating._snapshot import FeatureSnapshot, rate_one, take_snapshot
from microlend.service.rating._spark import BatchResult, ModelParts, score_on_spark
from microlend.service.rating._training import (
    PERFORMANCE_WINDOW,
    Labelled,
    Progress,
    RatingFit,
    fit_rating,
    labelled_applications,
    quiet,
    split_out_of_time,
)

__all__ = [
    "HISTORY_WINDOWS",
    "PERFORMANCE_WINDOW",
    "STABILITY_FEATURES",
    "BatchResult",
    "Curve",
    "FeatureFact",
    "FeatureSnapshot",
    "HistoryCut",
    "Labelled",
    "ModelEvaluation",
    "ModelParts",
    "ModelReport",
    "Progress",
    "RatingFit",
    "Shift",
    "WindowCut",
    "check_feature_catalog",
    "evaluate_on_records",
    "evaluate_on_table",
    "feature_importance",
    "fit_rating",
    "improver_of",
    "labelled_applications",
    "merchant_features",
    "model_report",
    "population_shift",
    "quiet",
    "rate_one",
    "save_rating",
    "score_merchants",
    "score_on_spark",
    "split_out_of_time",
    "take_snapshot",
]
