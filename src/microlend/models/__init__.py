"""Models: the PD model (LightGBM, monotone, calibrated), the WoE scorecard challenger,
evaluation, artefacts saved without pickle, and training on a lender's own table.

``PD = calibrator(sigmoid(margin))``; ``PDModel.contributions`` splits ``margin`` exactly into
one term per feature plus ``base``.
"""

from microlend.models._artifacts import (
    FORMAT,
    ModelArtifact,
    file_sha256,
    load_artifact,
    load_model,
    save_model,
)
from microlend.models._calibration import PD_FLOOR, CalibrationMethod, Calibrator
from microlend.models._calibration_tests import (
    Banding,
    BandTest,
    CalibrationTests,
    HosmerLemeshow,
    binomial_p_value,
    calibration_tests,
    expected_calibration_error,
    hosmer_lemeshow,
    jeffreys_p_value,
)
from microlend.models._evaluation import CalibrationBin, Evaluation, evaluate
from microlend.models._metadata import ModelMetadata, TableFacts, Window
from microlend.models._parse import parse_dates, parse_text_numbers
from microlend.models._pd_model import PDModel
from microlend.models._preparer import POST_OUTCOME_WORDS, ColumnPlan, Finding, TablePreparer
from microlend.models._scorecard import FeatureBins, Scorecard
from microlend.models._table import (
    LabelledTable,
    TableEvaluation,
    TableFit,
    cross_validated_auc,
    evaluate_table,
    fit_table,
    labelled_table,
    read_table,
)

__all__ = [
    "FORMAT",
    "PD_FLOOR",
    "POST_OUTCOME_WORDS",
    "BandTest",
    "Banding",
    "CalibrationBin",
    "CalibrationMethod",
    "CalibrationTests",
    "Calibrator",
    "ColumnPlan",
    "Evaluation",
    "FeatureBins",
    "Finding",
    "HosmerLemeshow",
    "LabelledTable",
    "ModelArtifact",
    "ModelMetadata",
    "PDModel",
    "Scorecard",
    "TableEvaluation",
    "TableFacts",
    "TableFit",
    "TablePreparer",
    "Window",
    "binomial_p_value",
    "calibration_tests",
    "cross_validated_auc",
    "evaluate",
    "evaluate_table",
    "expected_calibration_error",
    "file_sha256",
    "fit_table",
    "hosmer_lemeshow",
    "jeffreys_p_value",
    "labelled_table",
    "load_artifact",
    "load_model",
    "parse_dates",
    "parse_text_numbers",
    "read_table",
    "save_model",
]
